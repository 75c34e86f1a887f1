// `duplex-relay backup FILE`: an online backup, taken while the relay runs and
// clients send (store/sqlite-backup.ts says how it stays consistent), and the
// files it records beside it in FILE.files/ (files/backup.ts).
import { backupFiles } from '../files/backup.ts';
import { filesDirIn } from '../files/setup.ts';
import { finishedFileIdsIn } from '../store/sqlite-backup.ts';
import { type Command, CommandFailed, DATABASE_OPTIONS, withOperatorSqliteStore } from './command.ts';

export const backup: Command = {
  name: 'backup',
  args: [{ name: 'FILE' }],
  summary: 'write a consistent copy of the database to FILE and its files to FILE.files/, while the relay runs',
  details:
    'FILE must not exist yet; it appears only once complete and verified. To restore, stop the\n' +
    'relay, make FILE the relay.db of an empty data directory and FILE.files/ its files/\n' +
    '(docs/operations.md). With --s3-bucket, files stay in the bucket: back it up after this.\n' +
    'With --database-url (PostgreSQL) it refuses: use pg_dump instead (docs/operations.md).',
  options: DATABASE_OPTIONS,
  async run({ config, args: [file = ''], io }) {
    if (config.databaseUrl !== undefined) {
      throw new CommandFailed(
        'backup copies the SQLite database of a data directory; with --database-url the data is in PostgreSQL: ' +
          'back it up with pg_dump (docs/operations.md, "PostgreSQL")',
      );
    }
    return withOperatorSqliteStore(config, async (store) => {
      const summary = store.backupTo(file);
      io.out(`backup of ${store.file} written to ${summary.file} (${summary.bytes} bytes, schema version ${summary.schemaVersion})`);
      if (config.s3) {
        io.out(`files are in the S3 bucket ${config.s3.bucket}, not copied: back the bucket up after this (docs/operations.md)`);
        return 0;
      }
      const files = await backupFiles(finishedFileIdsIn(summary.file), filesDirIn(config.dataDir), summary.file);
      io.out(`${files.files} files (${files.bytes} bytes) copied to ${files.dir}`);
      if (files.missing.length > 0) {
        io.err(`${files.missing.length} files removed by the sweep meanwhile (no message carried them): ${files.missing.join(', ')}`);
      }
      return 0;
    });
  },
};
