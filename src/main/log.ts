// What the main process reports to the developer or the system journal: a
// subset of console, so that tests can pass a recorder instead.
export type Log = Pick<Console, 'info' | 'warn' | 'error'>;
