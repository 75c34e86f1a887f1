// The PostgreSQL schema, as migrations (docs/scaling.md). Migration i brings
// the database from version i to i + 1 (postgres-migrations.ts records the
// version); released migrations are never edited, only appended to.
//
// Tables and columns carry the names of the SQLite schema (sqlite-schema.ts),
// so that `duplex-relay migrate` copies a SQLite relay's tables column by
// column (sqlite-to-postgres.ts): a column added to one schema is added to
// the other under the same name. Times are milliseconds since the epoch
// (BIGINT, read back as numbers: postgres.ts). Where SQLite orders by rowid
// (members in joining order, blocks oldest first), PostgreSQL has an
// `ordinal` identity column, which a copy fills in the order it inserts.
// MSG.file stays the JSON text the relay wrote, as in SQLite.

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- JavaScript's toLowerCase() of display_name, as in SQLite, so that both
    -- stores fold case alike whatever the database's locale.
    display_name_lower TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT,
    group_adds TEXT NOT NULL DEFAULT 'everyone' CHECK (group_adds IN ('everyone', 'contacts', 'nobody'))
  );
  -- Prefix searches (LIKE 'abc%') use these in any collation.
  CREATE INDEX users_username_prefix ON users (username text_pattern_ops);
  CREATE INDEX users_display_name_lower ON users (display_name_lower text_pattern_ops);

  CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
  );
  CREATE INDEX tokens_user ON tokens (user_id);

  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
  );

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title TEXT,
    -- The two member ids, sorted and space-separated; NULL for groups.
    direct_key TEXT UNIQUE,
    -- Written under the row's lock by every append (SELECT … FOR UPDATE).
    last_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE members (
    conv_id TEXT NOT NULL REFERENCES conversations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    delivered BIGINT NOT NULL DEFAULT 0,
    read BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    ordinal BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (conv_id, user_id)
  );
  CREATE INDEX members_user ON members (user_id, conv_id);
  CREATE INDEX members_order ON members (conv_id, ordinal);

  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    uploader_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
  );
  CREATE INDEX files_uploader ON files (uploader_id);
  CREATE INDEX files_created ON files (created_at);

  CREATE TABLE messages (
    conv_id TEXT NOT NULL REFERENCES conversations (id),
    seq BIGINT NOT NULL,
    sender_id TEXT NOT NULL REFERENCES users (id),
    cid TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to BIGINT,
    ts BIGINT NOT NULL,
    file_id TEXT REFERENCES files (id),
    file TEXT,
    PRIMARY KEY (conv_id, seq)
  );
  -- Deduplication: a sender's cid is stored at most once.
  CREATE UNIQUE INDEX messages_sender_cid ON messages (sender_id, cid);
  CREATE INDEX messages_file ON messages (file_id) WHERE file_id IS NOT NULL;

  CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    ordinal BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (blocker_id, blocked_id)
  );
  CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);
  `,
  `
  -- Changes to messages (docs/relay.md, "Changes to messages"), as in
  -- SQLite's schema: a change (kind edit, delete or react) is a log entry of
  -- its own naming the seq it changes in target; the target's row keeps its
  -- current state (body, edited_at, deleted, reactions as JSON USER_ID →
  -- emoji). forwarded and deleted are 0 or 1, as in SQLite.
  ALTER TABLE messages ADD COLUMN kind TEXT CHECK (kind IN ('edit', 'delete', 'react'));
  ALTER TABLE messages ADD COLUMN target BIGINT;
  ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN edited_at BIGINT;
  ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN reactions TEXT;
  CREATE INDEX messages_target ON messages (conv_id, target) WHERE target IS NOT NULL;
  `,
  `
  -- Each member's own chat state (docs/protocol.md, "Chat state"), as in
  -- SQLite's schema: kept on the membership, so that leaving forgets it.
  ALTER TABLE members ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN muted_until BIGINT;
  `,
  `
  -- Accounts, as SQLite's four migrations after chat state add them:
  -- devices (docs/protocol.md, "Devices"): the name the app gave at sign-in
  -- and the address it signed in or last connected from, '' when unknown;
  ALTER TABLE tokens ADD COLUMN device_name TEXT NOT NULL DEFAULT '';
  ALTER TABLE tokens ADD COLUMN address TEXT NOT NULL DEFAULT '';
  -- profiles (docs/protocol.md, "Profiles"): the "about" line, '' for none;
  ALTER TABLE users ADD COLUMN about TEXT NOT NULL DEFAULT '';
  -- photos, a user's and a group's, each a finished file. users and files
  -- reference each other (files.uploader_id), so these keys are checked at
  -- commit: duplex-relay migrate copies users before files in one
  -- transaction (sqlite-to-postgres.ts);
  ALTER TABLE users ADD COLUMN photo_file_id TEXT REFERENCES files (id) DEFERRABLE INITIALLY DEFERRED;
  ALTER TABLE conversations ADD COLUMN photo_file_id TEXT REFERENCES files (id) DEFERRABLE INITIALLY DEFERRED;
  CREATE INDEX users_photo ON users (photo_file_id) WHERE photo_file_id IS NOT NULL;
  CREATE INDEX conversations_photo ON conversations (photo_file_id) WHERE photo_file_id IS NOT NULL;
  -- accounts an operator disabled (duplex-relay user disable): no sign-in.
  ALTER TABLE users ADD COLUMN disabled_at BIGINT;
  `,
  `
  -- Deleted accounts, as in SQLite's schema (docs/operations.md, "Deleting
  -- an account"): the row stays, blanked, until the username is released.
  ALTER TABLE users ADD COLUMN deleted_at BIGINT;
  `,
];
