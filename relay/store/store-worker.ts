// The worker thread behind store-thread.ts: opens the relay's SQLite store and
// answers each call with the store method of that name, one call at a time in
// the order received (each runs synchronously underneath, so calls never
// interleave, as on the main thread before). Function arguments arrive as
// names of exports of the functions module, imported here.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteStore, type SqliteStore } from './sqlite.ts';
import type { StoreCall, StoreReply, StoreStart, StoreThreadData } from './store-thread.ts';

const port = parentPort;
if (!port) throw new Error('store-worker.ts runs only as a worker thread');
const { file, functionsModule } = workerData as StoreThreadData;
const functions = (await import(functionsModule)) as Record<string, unknown>;

let store: SqliteStore;
try {
  store = openSqliteStore(file, 'relay');
  port.postMessage({ started: true } satisfies StoreStart);
} catch (error) {
  port.postMessage({ started: false, error: plainError(error) } satisfies StoreStart);
  process.exit(1);
}

port.on('message', async ({ id, method, args, functions: named }: StoreCall) => {
  let reply: StoreReply;
  try {
    for (const [index, name] of named) args[index] = functions[name];
    const member = (store as unknown as Record<string, unknown>)[method];
    if (typeof member !== 'function') throw new TypeError(`the store has no method ${method}`);
    reply = { id, ok: true, value: await (member as (...a: unknown[]) => unknown).apply(store, args) };
  } catch (error) {
    reply = { id, ok: false, error: plainError(error) };
  }
  port.postMessage(reply);
});

function plainError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
