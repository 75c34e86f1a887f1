// The relay's logger: pino, one JSON object per line on stdout, one line per
// event. Modules take a child logger (`log.child({ module })`) so that every
// line says where it came from.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'duplex-relay' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Never log a credential, whatever object a caller hands over.
      redact: ['token', 'password', 'headers.authorization', '*.token', '*.password'],
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
