// The frame of most engine test files: one real relay for the file, and the
// clients (and proxies) each test makes, disposed after it in reverse order.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type ClientOptions, TestClient } from './client.ts';
import { type RelayProcess, startRelay, type TestAccount } from './relay.ts';

export interface RelaySuite {
  /** The file's relay (started before the first test). */
  readonly relay: RelayProcess;
  /** A client signed in as `account` and online, disposed after the test. */
  client(account: TestAccount, options?: ClientOptions & { relayUrl?: string }): Promise<TestClient>;
  /** Runs `cleanup` after the current test. */
  afterThisTest(cleanup: () => Promise<unknown>): void;
}

export function relaySuite(): RelaySuite {
  let relay: RelayProcess | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    relay = await startRelay();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await relay?.cleanup();
  });
  const suite: RelaySuite = {
    get relay() {
      if (!relay) throw new Error('the relay starts before the first test');
      return relay;
    },
    async client(account, options = {}) {
      const signedIn = await TestClient.signedIn(options.relayUrl ?? suite.relay.url, account, options);
      cleanups.push(() => signedIn.dispose());
      return signedIn;
    },
    afterThisTest(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return suite;
}
