// The relay's SQLite store on a worker thread (docs/relay.md, "The store's
// thread"). node:sqlite is synchronous: on the event loop, every COMMIT with
// synchronous=FULL would stop the relay for its fsync, and every send arriving
// meanwhile would wait. Here the worker (store-worker.ts) owns the database and
// runs one call at a time, in the order made, while the main thread keeps
// reading frames and writing to sockets; the sends arriving during a commit
// form the next group commit.
//
// The proxy is generic: any RelayStore method is forwarded by name, its
// arguments and result structured-cloned (Maps, Sets and plain objects cross
// as they are), so a new store method needs no code here. A function cannot
// cross a thread: a function argument (appendMessages' judge) must be an
// export of the functions module given at open (relay/store-functions.ts);
// it crosses as its name, and the worker calls its own copy of that export.
// Any other function is refused at the call. An error thrown by the store
// comes back as an Error with the same name and message.
import { Worker } from 'node:worker_threads';
import type { RelayStore } from './types.ts';

export interface StoreCall {
  id: number;
  method: string;
  /** Function arguments are null here, and named in `functions`. */
  args: unknown[];
  /** [argument index, export name in the functions module]. */
  functions: Array<[number, string]>;
}

export type StoreReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** What the worker posts once the database is open, or why it could not open it. */
export type StoreStart = { started: true } | { started: false; error: { name: string; message: string } };

/**
 * The store's thread allocates little per call (a batch's drafts and
 * outcomes), but V8 would let its young generation grow as large as the main
 * thread's, tens of MB that become resident as the sign-ins of many sockets
 * pass through it (docs/benchmarks.md, memory per idle connection). A few MB
 * hold the largest batch (groupCommitMaxSends drafts) with room to spare.
 */
const STORE_YOUNG_GENERATION_MB = 8;

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface StoreThreadData {
  file: string;
  functionsModule: string;
}

/**
 * Opens the relay's database (as the relay: owner lock, migrations) on a new
 * worker thread; `functionsModule` exports the functions that may be passed
 * to the store (see the header).
 */
export async function openStoreThread(file: string, functionsModule: URL): Promise<RelayStore> {
  const exported = (await import(functionsModule.href)) as Record<string, unknown>;
  const functionNames = new Map<unknown, string>();
  for (const [name, value] of Object.entries(exported)) if (typeof value === 'function') functionNames.set(value, name);
  const workerData: StoreThreadData = { file, functionsModule: functionsModule.href };
  const worker = new Worker(new URL('./store-worker.ts', import.meta.url), {
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: STORE_YOUNG_GENERATION_MB },
  });
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let failure: Error | undefined;

  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(failure);
    waiting.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (start: StoreStart) => {
      worker.off('error', onError);
      if (start.started) resolve();
      else reject(rebuildError(start.error));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on('message', (reply: StoreReply) => {
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(rebuildError(reply.error));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the store's thread exited (code ${code})`)));

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const functions: Array<[number, string]> = [];
    for (const [index, arg] of args.entries()) {
      if (typeof arg !== 'function') continue;
      const name = functionNames.get(arg);
      if (name === undefined) {
        return Promise.reject(new TypeError(`${method}: a function passed to the store's thread must be exported by ${functionsModule.href}`));
      }
      functions.push([index, name]);
    }
    const data = args.map((arg) => (typeof arg === 'function' ? null : arg));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, args: data, functions } satisfies StoreCall);
    });
  };

  const close = async (): Promise<void> => {
    if (failure) return;
    await call('close', []);
    failure = new Error('the store is closed');
    await worker.terminate();
  };

  return new Proxy({} as RelayStore, {
    get(_target, name) {
      if (name === 'close') return close;
      // Not a thenable: awaiting the store itself must not call the worker.
      if (typeof name !== 'string' || name === 'then') return undefined;
      return (...args: unknown[]) => call(name, args);
    },
  });
}

function rebuildError({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
