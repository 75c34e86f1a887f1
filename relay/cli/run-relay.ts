// Runs the relay until SIGTERM or SIGINT, then shuts it down gracefully (a
// second signal exits at once with 1). Resolves with the exit code: 0 after a
// clean shutdown, 1 when the relay cannot start (port in use, data directory
// held by another relay) or the shutdown fails. Unusable TLS files are a
// ConfigError, exit code 2 like any bad setting.
import { ConfigError, type RelayConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { Relay } from '../server.ts';
import type { CliIo } from './command.ts';

export async function runRelay(config: RelayConfig, io: CliIo): Promise<number> {
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
    if (error instanceof ConfigError) throw error;
    log.fatal({ err: error }, 'relay failed to start');
    io.err(`duplex relay: ${(error as Error).message}`);
    return 1;
  }

  log.info({ url: relay.url, dataDir: config.dataDir, webRoot: config.webRoot }, 'listening');
  // Tests and scripts read the port from this line when started with --port 0.
  io.out(`duplex relay listening on ${relay.url}`);

  return new Promise((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log.info({ signal }, 'signal received');
        // A second signal while shutting down stops at once.
        process.once(signal, () => process.exit(1));
        relay.shutdown().then(
          () => resolve(0),
          (error: unknown) => {
            log.fatal({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
      });
    }
  });
}
