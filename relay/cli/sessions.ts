// `duplex-relay sessions list` and `sessions revoke`. A session here is a
// sign-in: one token, on one device, whether or not it is connected right
// now. Its ID is the device's id (devices.ts): the start of the token's
// SHA-256 hash, which the database keeps (never the token itself), so
// listing sessions reveals no credential. Revoking deletes tokens; a running
// relay closes the sockets that used them at its next sweep
// (revoked-tokens.ts).
import { deviceId, UNNAMED_DEVICE } from '../devices.ts';
import type { TokenRecord } from '../store/types.ts';
import {
  type Command,
  CommandFailed,
  DATABASE_OPTIONS,
  formatTable,
  requireUser,
  revocationNote,
  textFlag,
  UsageError,
  withOperatorStore,
} from './command.ts';

/** A shorter prefix could too easily name a session by accident. */
const MIN_ID_PREFIX = 8;

function sessionId(record: TokenRecord): string {
  return deviceId(record.tokenHash);
}


export const sessionsList: Command = {
  name: 'sessions list',
  args: [{ name: 'USERNAME', optional: true }],
  summary: "list sign-ins, everyone's or one user's",
  details:
    'One line per sign-in (token), oldest first: its ID for `sessions revoke`, the user, when it was made, ' +
    'when it was last used (to the hour; unused for the session idle limit, 90 days by default, it expires), ' +
    'the address it signed in or last connected from, and the device name its app gave.',
  options: DATABASE_OPTIONS,
  async run({ config, args: [username], io }) {
    return withOperatorStore(config, async (store) => {
      const user = username === undefined ? undefined : await requireUser(store, username);
      const records = await store.listTokens(user?.id);
      const rows = records.map((record) => [
        sessionId(record),
        record.user.username,
        new Date(record.createdAt).toISOString(),
        new Date(record.lastUsedAt).toISOString(),
        record.address || '-',
        record.name || UNNAMED_DEVICE,
      ]);
      const header = ['SESSION', 'USER', 'SIGNED IN', 'LAST USED', 'ADDRESS', 'DEVICE'];
      for (const line of formatTable([header, ...rows])) io.out(line);
      return 0;
    });
  },
};

export const sessionsRevoke: Command = {
  name: 'sessions revoke',
  args: [{ name: 'ID', optional: true }],
  summary: 'revoke one session (ID), all of a user (--user) or all (--all)',
  details:
    `ID is one from \`sessions list\`, or at least its first ${MIN_ID_PREFIX} characters. ` +
    'The devices concerned have to sign in again.',
  options: [
    { flag: 'user', value: 'USERNAME', description: 'revoke every session of this user' },
    { flag: 'all', description: 'revoke every session of every user' },
    ...DATABASE_OPTIONS,
  ],
  async run({ config, args: [id], values, io }) {
    const username = textFlag(values, 'user');
    const all = values.all === true;
    if ([id !== undefined, username !== undefined, all].filter(Boolean).length !== 1) {
      throw new UsageError('give exactly one of ID, --user USERNAME or --all');
    }
    if (id !== undefined && !new RegExp(`^[0-9a-f]{${MIN_ID_PREFIX},64}$`).test(id)) {
      throw new UsageError(`ID: "${id}" is not a session ID (${MIN_ID_PREFIX} to 64 hexadecimal digits)`);
    }
    return withOperatorStore(config, async (store) => {
      let revoked: number;
      if (id !== undefined) {
        const matches = (await store.listTokens()).filter((record) => record.tokenHash.startsWith(id));
        const [match] = matches;
        if (!match) throw new CommandFailed(`no session ${id}`);
        if (matches.length > 1) throw new CommandFailed(`${id} names ${matches.length} sessions; give more of the ID`);
        revoked = (await store.revokeToken(match.tokenHash)) === undefined ? 0 : 1;
        io.out(`revoked session ${sessionId(match)} of ${match.user.username}`);
      } else if (username !== undefined) {
        const user = await requireUser(store, username);
        revoked = await store.revokeUserTokens(user.id);
        io.out(`revoked ${revoked} session(s) of ${user.username}`);
      } else {
        revoked = await store.revokeAllTokens();
        io.out(`revoked ${revoked} session(s)`);
      }
      if (revoked > 0) io.out(revocationNote(config));
      return 0;
    });
  },
};
