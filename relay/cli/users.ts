// `duplex-relay user create`, `user reset-password`, `user list`, `user
// disable`, `user enable` and `user delete`: accounts made, mended, listed,
// stopped and erased by the operator, under the rules of the HTTP API (username pattern, password
// length, display name) and with the same hashing (accounts.ts). They work
// whether the relay runs or not, and whatever the registration mode.
import { randomBytes } from 'node:crypto';
import { describeIssues, passwordSchema, registerRequestSchema } from '../../src/shared/protocol/index.ts';
import { deleteAccount } from '../account-deletion.ts';
import { createAccount, resetPassword } from '../accounts.ts';
import { eraseFiles } from '../files/erase-files.ts';
import { fileAreasOf } from '../files/setup.ts';
import { createLogger } from '../log.ts';
import { type OptionSpec, type OptionValues, relayOptions } from '../config.ts';
import {
  type CliIo,
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

const PASSWORD_STDIN: OptionSpec = {
  flag: 'password-stdin',
  description: 'read the password from stdin (otherwise one is generated and printed once)',
};

const PASSWORD_OPTIONS: readonly OptionSpec[] = [PASSWORD_STDIN, ...relayOptions('scrypt-cost'), ...DATABASE_OPTIONS];

// 15 random bytes: 20 characters of base64url, 120 bits.
const GENERATED_PASSWORD_BYTES = 15;

interface Password {
  text: string;
  generated: boolean;
}

async function obtainPassword(values: OptionValues, io: CliIo): Promise<Password> {
  if (values['password-stdin'] !== true) {
    return { text: randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url'), generated: true };
  }
  // The whole of stdin, less the newline that `echo` or a here-string adds.
  const text = (await io.readStdin()).replace(/\r?\n$/, '');
  if (text === '') throw new UsageError('--password-stdin: stdin held no password');
  return { text, generated: false };
}

function showGenerated(password: Password, io: CliIo): void {
  if (password.generated) io.out(`password: ${password.text}  (generated; shown only this once)`);
}

export const userCreate: Command = {
  name: 'user create',
  args: [{ name: 'USERNAME' }],
  summary: 'create an account',
  details:
    'The password comes from stdin with --password-stdin; otherwise a random one is generated and\n' +
    'printed once. Works while the relay runs, and also when registration is closed.',
  options: [{ flag: 'display-name', value: 'NAME', description: 'display name (default: the username)' }, ...PASSWORD_OPTIONS],
  async run({ config, args: [username], values, io }) {
    const password = await obtainPassword(values, io);
    const parsed = registerRequestSchema.safeParse({
      username,
      password: password.text,
      displayName: textFlag(values, 'display-name'),
    });
    if (!parsed.success) throw new UsageError(describeIssues(parsed.error));
    return withOperatorStore(config, async (store) => {
      const user = await createAccount(store, parsed.data, config.scryptCost, Date.now(), config.limits.usernameQuarantineMs);
      if (!user) throw new CommandFailed(`user "${parsed.data.username}" already exists`);
      io.out(`created user ${user.username} (display name "${user.displayName}", id ${user.id})`);
      showGenerated(password, io);
      return 0;
    });
  },
};

export const userResetPassword: Command = {
  name: 'user reset-password',
  args: [{ name: 'USERNAME' }],
  summary: 'set a new password and revoke all sessions of the user',
  details:
    'The password comes from stdin with --password-stdin; otherwise a random one is generated and\n' +
    'printed once. Every session of the user is revoked: they sign in again with the new password.',
  options: PASSWORD_OPTIONS,
  async run({ config, args: [username = ''], values, io }) {
    const password = await obtainPassword(values, io);
    const parsed = passwordSchema.safeParse(password.text);
    if (!parsed.success) throw new UsageError(`password: ${parsed.error.issues[0]?.message}`);
    return withOperatorStore(config, async (store) => {
      const user = await requireUser(store, username);
      const revoked = (await resetPassword(store, user.id, parsed.data, config.scryptCost)).length;
      io.out(`new password set for ${user.username}; ${revoked} session(s) revoked`);
      if (revoked > 0) io.out(revocationNote(config));
      showGenerated(password, io);
      return 0;
    });
  },
};

export const userList: Command = {
  name: 'user list',
  args: [],
  summary: 'list the accounts',
  details:
    'One line per account, by username: the username, when it was created, when it was last seen online, ' +
    'how many sign-ins it has (`sessions list USERNAME` shows them), whether it is disabled or deleted, and its display name. ' +
    'A deleted account keeps its username until the quarantine (usernameQuarantineMs) is over, then shows as ~deleted~ID.',
  options: DATABASE_OPTIONS,
  async run({ config, io }) {
    return withOperatorStore(config, async (store) => {
      const rows = (await store.listUsers()).map((record) => [
        record.user.username,
        new Date(record.createdAt).toISOString(),
        record.lastSeen === null ? '-' : new Date(record.lastSeen).toISOString(),
        String(record.signIns),
        record.deletedAt !== null ? 'deleted' : record.disabledAt === null ? 'active' : 'disabled',
        record.user.displayName,
      ]);
      for (const line of formatTable([['USER', 'CREATED', 'LAST SEEN', 'SESSIONS', 'STATUS', 'DISPLAY NAME'], ...rows])) io.out(line);
      return 0;
    });
  },
};

export const userDisable: Command = {
  name: 'user disable',
  args: [{ name: 'USERNAME' }],
  summary: 'stop an account: sign it out everywhere and refuse its sign-ins',
  details:
    'Every session of the user is revoked and every sign-in answers 403 account_disabled until `user enable`.\n' +
    'Nothing of the account is deleted: its conversations, messages and files stay.',
  options: DATABASE_OPTIONS,
  async run({ config, args: [username = ''], io }) {
    return withOperatorStore(config, async (store) => {
      const user = await requireUser(store, username);
      const { revoked } = await store.setUserDisabled(user.id, Date.now());
      io.out(`disabled ${user.username}; ${revoked} session(s) revoked`);
      if (revoked > 0) io.out(revocationNote(config));
      return 0;
    });
  },
};

export const userEnable: Command = {
  name: 'user enable',
  args: [{ name: 'USERNAME' }],
  summary: 'let a disabled account sign in again',
  details: 'The user signs in again with their password (`user reset-password` sets a new one).',
  options: DATABASE_OPTIONS,
  async run({ config, args: [username = ''], io }) {
    return withOperatorStore(config, async (store) => {
      const user = await requireUser(store, username);
      await store.setUserDisabled(user.id, null);
      io.out(`enabled ${user.username}`);
      return 0;
    });
  },
};

export const userDelete: Command = {
  name: 'user delete',
  args: [{ name: 'USERNAME' }],
  summary: "erase an account: its profile, sign-ins, memberships, and every message and file of it",
  details:
    'What a user deleting their own account does (docs/operations.md, "Deleting an account"): every message of the\n' +
    'user becomes "deleted" for everyone, as a delete for everyone erases it (texts, earlier edits, files nothing\n' +
    'else carries), their reactions are taken back, and their profile, photo, sign-ins, memberships and blocks go.\n' +
    'The username stays taken for usernameQuarantineMs (30 days by default), then anyone may register it.\n' +
    'It cannot be undone, so it needs --yes. A running relay closes the user\'s connections at its next token\n' +
    'sweep; the other members\' apps show the messages deleted when they next sync.',
  options: [{ flag: 'yes', description: 'confirm: the account is erased for good' }, ...relayOptions('s3-bucket', 's3-region', 's3-endpoint'), ...DATABASE_OPTIONS],
  async run({ config, args: [username = ''], values, io }) {
    if (values.yes !== true) throw new UsageError('user delete erases the account for good: add --yes to confirm');
    return withOperatorStore(config, async (store) => {
      const user = await requireUser(store, username);
      const areas = fileAreasOf(config);
      const log = createLogger('error', { write: (line: string) => io.err(line.trimEnd()) });
      try {
        const deletion = await deleteAccount(
          { store, log, eraseFiles: (files) => eraseFiles(store, areas, files, log) },
          user.id,
          Date.now(),
        );
        if (!deletion) throw new CommandFailed(`no user "${username}"`);
        io.out(
          `deleted ${user.username}: ${deletion.changes.length} message(s) and reaction(s) erased, ` +
            `${deletion.files.length} file(s), ${deletion.revokedTokens.length} session(s) revoked`,
        );
        if (deletion.revokedTokens.length > 0) io.out(revocationNote(config));
      } finally {
        areas.storage.close();
      }
      return 0;
    });
  },
};
