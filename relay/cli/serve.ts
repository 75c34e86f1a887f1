// `duplex-relay serve`, the default command: runs the relay (run-relay.ts).
// That module, and with it the server and its packages (ws, prom-client,
// pino), is loaded only here, so that the operator commands start quickly.
import { RELAY_OPTIONS } from '../config.ts';
import type { Command } from './command.ts';

export const serve: Command = {
  name: 'serve',
  args: [],
  summary: 'run the relay (the default when no command is given)',
  options: RELAY_OPTIONS,
  async run({ config, io }) {
    const { runRelay } = await import('./run-relay.ts');
    return runRelay(config, io);
  },
};
