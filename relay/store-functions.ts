// The functions the relay passes to its store (so far: the send judge of
// appendMessages). The store runs on another thread (store/store-thread.ts),
// where a function cannot be sent: the proxy sends its name in this module,
// and the store's thread imports this module to call the same function there.
// Each must be pure (no state of the main thread).
export { judgeSend } from './handlers/send.ts';

/** This module, for the store's thread to import. */
export const STORE_FUNCTIONS = new URL(import.meta.url);
