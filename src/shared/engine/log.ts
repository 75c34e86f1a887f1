// The engine's one way to report what it drops or survives (bad frames,
// failed background work). The host decides where it goes: the desktop app's
// log file, the browser console, or nowhere in benchmarks.

export type LogLevel = 'info' | 'warn' | 'error';

export type Logger = (level: LogLevel, message: string, details?: unknown) => void;

export const consoleLogger: Logger = (level, message, details) => {
  const line = `[duplex engine] ${message}`;
  if (details === undefined) console[level](line);
  else console[level](line, details);
};

export const silentLogger: Logger = () => {};
