// `duplex-relay updates publish DIST_DIR`: puts a desktop release built by
// electron-builder into the update feed the relay serves at /updates/
// (update-publish.ts says how it stays consistent for clients).
import { relayOptions } from '../config.ts';
import { PublishError, publishRelease } from '../update-publish.ts';
import { type Command, CommandFailed } from './command.ts';

export const updatesPublish: Command = {
  name: 'updates publish',
  args: [{ name: 'DIST_DIR' }],
  summary: "publish a desktop release (electron-builder's dist/) to the update feed at /updates/",
  details:
    'Checks that every latest*.yml names files in DIST_DIR with matching sha512 and size, copies the\n' +
    'installers and blockmaps first and the yml files last, each by an atomic rename, so clients never\n' +
    'see half a release. Files already published are never changed; older versions stay. Works while\n' +
    'the relay runs.',
  options: relayOptions('config', 'data', 'updates-dir'),
  async run({ config, args: [distDir = ''], io }) {
    try {
      const summary = await publishRelease(distDir, config.updatesDir);
      for (const channel of summary.channels) {
        io.out(`${channel.channelFile}: version ${channel.version} (${channel.files.join(', ')})`);
      }
      io.out(`published to ${config.updatesDir}: ${summary.copied.length} file(s) copied, channel files last`);
      return 0;
    } catch (error) {
      if (error instanceof PublishError) throw new CommandFailed(error.message);
      throw error;
    }
  },
};
