// The SQLite schema, as migrations. Migration i brings the database from
// `PRAGMA user_version` i to i + 1; released migrations are never edited, only
// appended to.

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- JavaScript's toLowerCase() of display_name, for case-insensitive search
    -- beyond ASCII (SQLite's LIKE folds ASCII only).
    display_name_lower TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen INTEGER
  ) STRICT;
  CREATE INDEX users_display_name_lower ON users (display_name_lower);

  CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tokens_user ON tokens (user_id);

  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title TEXT,
    -- The two member ids, sorted and space-separated; makes a direct
    -- conversation unique per pair. NULL for groups.
    direct_key TEXT UNIQUE,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE members (
    conv_id TEXT NOT NULL REFERENCES conversations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    delivered INTEGER NOT NULL DEFAULT 0,
    read INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (conv_id, user_id)
  ) STRICT;
  CREATE INDEX members_user ON members (user_id, conv_id);

  CREATE TABLE messages (
    conv_id TEXT NOT NULL REFERENCES conversations (id),
    seq INTEGER NOT NULL,
    sender_id TEXT NOT NULL REFERENCES users (id),
    cid TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to INTEGER,
    ts INTEGER NOT NULL,
    PRIMARY KEY (conv_id, seq)
  ) STRICT;
  -- Deduplication: a sender's cid is stored at most once.
  CREATE UNIQUE INDEX messages_sender_cid ON messages (sender_id, cid);
  `,
  `
  -- Settings an operator changes while the relay runs (duplex-relay
  -- registration open|close); the relay reads them when it needs them.
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Privacy (docs/protocol.md, "Privacy"): who blocked whom, and who may add
  -- a user to groups.
  CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
  ) STRICT;
  CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);
  ALTER TABLE users ADD COLUMN group_adds TEXT NOT NULL DEFAULT 'everyone'
    CHECK (group_adds IN ('everyone', 'contacts', 'nobody'));
  `,
  `
  -- When each sign-in was last used (a session started with it, or one was
  -- open), so that tokens left unused expire (limit sessionIdleMs). Tokens of
  -- older versions count as used now: an upgrade signs nobody out.
  ALTER TABLE tokens ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
  UPDATE tokens SET last_used_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
  `,
  `
  -- Uploaded files (docs/files.md). An upload is unfinished while
  -- finished_at is NULL; size is the declared Upload-Length throughout.
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    uploader_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX files_uploader ON files (uploader_id);
  CREATE INDEX files_created ON files (created_at);

  -- A message's file: its id (for who may read it, and the sweep) and MSG.file as JSON.
  ALTER TABLE messages ADD COLUMN file_id TEXT REFERENCES files (id);
  ALTER TABLE messages ADD COLUMN file TEXT;
  CREATE INDEX messages_file ON messages (file_id) WHERE file_id IS NOT NULL;
  `,
  `
  -- Changes to messages (docs/protocol.md, "Changes to messages"). A change
  -- (kind edit, delete or react) is a log entry of its own that names the
  -- seq it changes in target. The target's row keeps its current state: body
  -- (the latest edit's), edited_at, deleted, reactions (JSON object USER_ID
  -- → emoji, NULL when none). forwarded marks a forwarded ordinary message.
  ALTER TABLE messages ADD COLUMN kind TEXT CHECK (kind IN ('edit', 'delete', 'react'));
  ALTER TABLE messages ADD COLUMN target INTEGER;
  ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN edited_at INTEGER;
  ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE messages ADD COLUMN reactions TEXT;
  -- A delete erases the target's earlier edits: they are found by target.
  CREATE INDEX messages_target ON messages (conv_id, target) WHERE target IS NOT NULL;
  `,
  `
  -- Each member's own chat state (docs/protocol.md, "Chat state"): kept on
  -- the membership, so that leaving a conversation forgets it.
  ALTER TABLE members ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE members ADD COLUMN muted_until INTEGER;
  `,
  `
  -- Devices (docs/protocol.md, "Devices"): the name the app gave at sign-in
  -- and the client address it signed in or last connected from. Sign-ins of
  -- older versions stay unnamed ('').
  ALTER TABLE tokens ADD COLUMN device_name TEXT NOT NULL DEFAULT '';
  ALTER TABLE tokens ADD COLUMN address TEXT NOT NULL DEFAULT '';
  `,
  `
  -- Profiles (docs/protocol.md, "Profiles"): the "about" line; '' for none.
  ALTER TABLE users ADD COLUMN about TEXT NOT NULL DEFAULT '';
  `,
  `
  -- Photos (docs/protocol.md, "Profiles"): a user's and a group's, each a
  -- finished file. A file used as a photo is not swept as unreferenced.
  ALTER TABLE users ADD COLUMN photo_file_id TEXT REFERENCES files (id);
  ALTER TABLE conversations ADD COLUMN photo_file_id TEXT REFERENCES files (id);
  CREATE INDEX users_photo ON users (photo_file_id) WHERE photo_file_id IS NOT NULL;
  CREATE INDEX conversations_photo ON conversations (photo_file_id) WHERE photo_file_id IS NOT NULL;
  `,
  `
  -- Accounts an operator disabled (duplex-relay user disable): no sign-in.
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;
  `,
  `
  -- Deleted accounts (docs/operations.md, "Deleting an account"): the row
  -- stays, blanked, so that the log keeps its senders and the username stays
  -- taken for the quarantine; then the username is replaced by one nobody
  -- can choose.
  ALTER TABLE users ADD COLUMN deleted_at INTEGER;
  `,
];
