// `duplex-relay backup FILE`: an online backup, taken while the relay runs and
// clients send (store/sqlite-backup.ts says how it stays consistent).
import { type Command, DATABASE_OPTIONS, withOperatorSqliteStore } from './command.ts';

export const backup: Command = {
  name: 'backup',
  args: [{ name: 'FILE' }],
  summary: 'write a consistent copy of the database to FILE, while the relay runs',
  details:
    'FILE must not exist yet; it appears only once complete and verified. To restore, stop the\n' +
    'relay and make FILE the relay.db of an empty data directory (docs/operations.md).',
  options: DATABASE_OPTIONS,
  async run({ config, args: [file = ''], io }) {
    return withOperatorSqliteStore(config, async (store) => {
      const summary = store.backupTo(file);
      io.out(`backup of ${store.file} written to ${summary.file} (${summary.bytes} bytes, schema version ${summary.schemaVersion})`);
      return 0;
    });
  },
};
