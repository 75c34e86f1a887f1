// The relay's command-line entry: `npm run relay` (node relay/main.ts).
// Exit codes: 0 after a clean shutdown (SIGTERM, SIGINT) or --help, 1 when the
// relay cannot start or crashes, 2 for a bad flag or environment value.
import { ConfigError, helpText, parseCommandLine, type RelayConfig } from './config.ts';
import { createLogger } from './log.ts';
import { Relay } from './server.ts';

function readConfig(): RelayConfig {
  try {
    const commandLine = parseCommandLine(process.argv.slice(2), process.env);
    if (commandLine.kind === 'run') return commandLine.config;
    process.stdout.write(helpText());
    process.exit(0);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`duplex relay: ${error.message}\nRun with --help to see the options.\n`);
    process.exit(2);
  }
}

const config = readConfig();
const log = createLogger(config.logLevel);

process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  log.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});

let relay: Relay;
try {
  relay = await Relay.start({ config, log });
} catch (error) {
  log.fatal({ err: error }, 'relay failed to start');
  process.stderr.write(`duplex relay: ${(error as Error).message}\n`);
  process.exit(1);
}

log.info({ url: relay.url, dataDir: config.dataDir, webRoot: config.webRoot }, 'listening');
// Tests and scripts read the port from this line when started with --port 0.
process.stdout.write(`duplex relay listening on ${relay.url}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'signal received');
    // A second signal while shutting down stops at once.
    process.once(signal, () => process.exit(1));
    relay.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
