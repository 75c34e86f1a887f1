// The command line of `duplex-relay`: picks the command from the first words
// (none, or a flag first, means `serve`), parses its flags and arguments,
// builds the configuration the same way for every command (config.ts), runs
// it and maps failures to exit codes: 2 for a bad flag, setting or argument
// (with a pointer to --help), 1 when the command fails.
import { ConfigError, helpText, optionHelpLines, parseOptions, resolveConfig } from '../config.ts';
import { backup } from './backup.ts';
import { type CliIo, type Command, UsageError } from './command.ts';
import { migrate } from './migrate.ts';
import { registrationClose, registrationOpen, registrationStatus } from './registration.ts';
import { serve } from './serve.ts';
import { sessionsList, sessionsRevoke } from './sessions.ts';
import { updatesPublish } from './updates.ts';
import { userCreate, userDelete, userDisable, userEnable, userList, userResetPassword } from './users.ts';

const COMMANDS: readonly Command[] = [
  serve,
  userCreate,
  userResetPassword,
  userList,
  userDisable,
  userEnable,
  userDelete,
  sessionsList,
  sessionsRevoke,
  registrationOpen,
  registrationClose,
  registrationStatus,
  backup,
  migrate,
  updatesPublish,
];

/** serve, user, sessions, registration, backup, migrate, updates. */
const FIRST_WORDS = [...new Set(COMMANDS.map((command) => command.name.split(' ')[0] as string))];

export async function runCommandLine(argv: string[], io: CliIo): Promise<number> {
  try {
    const selected = selectCommand(argv);
    if (selected.kind === 'group help') {
      io.out(groupHelp(selected.group));
      return 0;
    }
    const { command, rest } = selected;
    const { values, positionals, help } = parseOptions(rest, command.options, command.args.length > 0);
    if (help) {
      io.out(helpOf(command));
      return 0;
    }
    checkArguments(command, positionals);
    const config = resolveConfig(values, io.env);
    return await command.run({ config, args: positionals, values, io });
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.err(`duplex relay: ${message}\nRun with --help to see the options.`);
      return 2;
    }
    io.err(`duplex relay: ${message}`);
    return 1;
  }
}

type Selection = { kind: 'command'; command: Command; rest: string[] } | { kind: 'group help'; group: string };

function selectCommand(argv: string[]): Selection {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-')) return { kind: 'command', command: serve, rest: argv };
  const single = COMMANDS.find((command) => command.name === first);
  if (single) return { kind: 'command', command: single, rest: argv.slice(1) };
  if (!FIRST_WORDS.includes(first)) {
    throw new UsageError(`unknown command "${first}"; the commands are ${FIRST_WORDS.join(', ')}`);
  }
  if (second === '--help' || second === '-h') return { kind: 'group help', group: first };
  const command = COMMANDS.find((candidate) => candidate.name === `${first} ${second}`);
  if (!command) {
    const names = COMMANDS.filter((candidate) => candidate.name.startsWith(`${first} `)).map((candidate) => candidate.name);
    const problem = second === undefined ? 'expected a sub-command' : `"${second}" is not one of its sub-commands`;
    throw new UsageError(`${first}: ${problem}: ${names.join(', ')}`);
  }
  return { kind: 'command', command, rest: argv.slice(2) };
}

function checkArguments(command: Command, positionals: string[]): void {
  const required = command.args.filter((arg) => !arg.optional);
  if (positionals.length < required.length) {
    throw new UsageError(`${command.name}: missing ${required[positionals.length]?.name}`);
  }
  if (positionals.length > command.args.length) {
    throw new UsageError(`${command.name}: unexpected argument "${positionals[command.args.length]}"`);
  }
}

function usage(command: Command): string {
  const args = command.args.map((arg) => (arg.optional ? `[${arg.name}]` : arg.name));
  return ['duplex-relay', command.name, ...args, '[options]'].join(' ');
}

function commandList(commands: readonly Command[]): string[] {
  const usages = commands.map((command) => usage(command).replace(/^duplex-relay /, '').replace(/ \[options\]$/, ''));
  const width = Math.max(...usages.map((text) => text.length)) + 2;
  return commands.map((command, i) => `  ${(usages[i] ?? '').padEnd(width)}${command.summary}`);
}

function helpOf(command: Command): string {
  // The relay's own options and limits are the help of `serve`, which is also the top-level --help.
  if (command === serve) {
    return [
      'Usage: duplex-relay [COMMAND] [options]',
      '',
      'Commands (without one, duplex-relay serves):',
      ...commandList(COMMANDS),
      'Each command takes --help. Exit codes: 0 done, 1 failed, 2 bad usage.',
      '',
      helpText().trimEnd(),
    ].join('\n');
  }
  return [
    `Usage: ${usage(command)}`,
    '',
    `${command.summary[0]?.toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.details ? [command.details] : []),
    ...whereHelp(command),
    '',
    'Options:',
    ...optionHelpLines(command.options),
  ].join('\n');
}

/** Where the command finds what it works on, like the relay. */
function whereHelp(command: Command): string[] {
  const takes = (flag: string) => command.options.some((option) => option.flag === flag);
  if (takes('updates-dir')) {
    return ['The updates directory is found like the relay finds it: --updates-dir, DUPLEX_UPDATES_DIR,\nthe config file, or updates/ in the data directory.'];
  }
  if (takes('data')) {
    return ['The database is found like the relay finds it: PostgreSQL with --database-url (DUPLEX_DATABASE_URL),\nelse relay.db in --data (DUPLEX_DATA); either from the config file too.'];
  }
  return [];
}

function groupHelp(group: string): string {
  return [
    `Usage: duplex-relay ${group} COMMAND [options]`,
    '',
    ...commandList(COMMANDS.filter((command) => command.name.startsWith(`${group} `))),
    '',
    `Run "duplex-relay ${group} COMMAND --help" for its options.`,
  ].join('\n');
}
