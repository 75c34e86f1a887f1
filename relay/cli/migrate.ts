// `duplex-relay migrate --from DIR --database-url URL`: moves a stopped SQLite
// relay's data into an empty PostgreSQL database (store/sqlite-to-postgres.ts)
// and prints the rows of each table, counted on both sides.
import path from 'node:path';
import { relayOptions } from '../config.ts';
import { filesDirIn } from '../files/setup.ts';
import { databaseFileIn } from '../store/sqlite.ts';
import { type Command, CommandFailed, textFlag, UsageError } from './command.ts';

export const migrate: Command = {
  name: 'migrate',
  args: [],
  summary: "copy a stopped SQLite relay's data (--from DIR) into an empty PostgreSQL database (--database-url)",
  details:
    'Stop the relay first: the copy takes its data directory\'s lock. Creates the PostgreSQL schema, copies every table\n' +
    'in one transaction and compares the row counts of both sides before committing; on any failure the\n' +
    'PostgreSQL database keeps no row. Files stay where they are (DIR/files or the S3 bucket): see docs/scaling.md.',
  options: [
    { flag: 'from', value: 'DIR', description: 'data directory of the SQLite relay to copy (its relay.db)' },
    ...relayOptions('config', 'database-url'),
  ],
  async run({ config, values, io }) {
    const from = textFlag(values, 'from');
    if (from === undefined) throw new UsageError('migrate: --from DIR is required (the SQLite relay\'s data directory)');
    if (config.databaseUrl === undefined) throw new UsageError('migrate: --database-url (or DUPLEX_DATABASE_URL) is required');
    const { copySqliteToPostgres, MigrationRefused } = await import('../store/sqlite-to-postgres.ts');
    const { redactDatabaseUrl } = await import('../store/postgres.ts');
    const source = databaseFileIn(path.resolve(from));
    let tables;
    try {
      tables = await copySqliteToPostgres(source, config.databaseUrl);
    } catch (error) {
      if (error instanceof MigrationRefused) throw new CommandFailed(error.message);
      throw error;
    }
    io.out(`copied ${source} into ${redactDatabaseUrl(config.databaseUrl)}; rows per table, the same on both sides:`);
    for (const table of tables) io.out(`  ${table.name.padEnd(16)}${table.rows}`);
    io.out(`files were not moved: serve them from ${filesDirIn(path.resolve(from))} (--data) or copy them to the S3 bucket`);
    return 0;
  },
};
