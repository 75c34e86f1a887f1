// What each client benchmark starts from: a relay without rate limits,
// accounts on it, and engines with a SQLite store in a temporary directory
// (the desktop app's store), driven the way the UI drives them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sqliteClientStoreOpener } from '../../src/main/store/sqlite-client-store.ts';
import type { ConnectionState, DuplexEvent } from '../../src/shared/api.ts';
import { DuplexEngine, type StoredAccount } from '../../src/shared/engine/engine.ts';
import { silentLogger } from '../../src/shared/engine/log.ts';
import type { TestAccount } from '../../test/engine/helpers/relay.ts';

export interface BenchEngine {
  engine: DuplexEngine;
  storeDir: string;
  account: { saved: StoredAccount | null };
  /** Resolves once the engine's status reaches `state`. */
  reach(state: ConnectionState): Promise<void>;
  /** Adds a listener; returns a function that removes it. */
  listen(listener: (event: DuplexEvent) => void): () => void;
}

/** An engine on a store directory (a fresh one unless given), not started. */
export function benchEngine(saved: StoredAccount | null, storeDir = mkdtempSync(path.join(tmpdir(), 'duplex-bench-'))): BenchEngine {
  const account = { saved };
  const engine = new DuplexEngine({
    WebSocket: globalThis.WebSocket,
    fetch: globalThis.fetch,
    openStore: sqliteClientStoreOpener(storeDir),
    accounts: {
      load: async () => account.saved,
      save: async (next) => {
        account.saved = next;
      },
      clear: async () => {
        account.saved = null;
      },
    },
    log: silentLogger,
  });
  const reach = async (state: ConnectionState) => {
    if ((await engine.getStatus()).state === state) return;
    await new Promise<void>((resolve) => {
      const stop = engine.onEvent((event) => {
        if (event.type === 'status' && event.status.state === state) {
          stop();
          resolve();
        }
      });
    });
  };
  return { engine, storeDir, account, reach, listen: (listener) => engine.onEvent(listener) };
}

/** An engine signed in as `who` and online. */
export async function signedInEngine(relayUrl: string, who: TestAccount): Promise<BenchEngine> {
  const bench = benchEngine(null);
  const online = bench.reach('online');
  const result = await bench.engine.signIn({ relayUrl, username: who.username, password: who.password });
  if (!result.ok) throw new Error(`sign-in failed: ${result.message}`);
  await online;
  return bench;
}

/** Resolves when `count` of the user's own messages are acknowledged. */
export function acknowledged(bench: BenchEngine, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = bench.listen((event) => {
      if (event.type !== 'messages') return;
      for (const message of event.messages) if (message.mine && message.status === 'sent') seen++;
      if (seen >= count) {
        stop();
        resolve();
      }
    });
  });
}
