// The engine on the web client's store (IndexedDB, here fake-indexeddb): the
// same outbox promise as on the desktop, across an engine restart.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { indexedDbClientStoreOpener } from '../../src/web/store/indexeddb-client-store.ts';
import { TestClient, waitFor } from './helpers/client.ts';
import { registerAccount, relayLog, type RelayProcess, startRelay } from './helpers/relay.ts';
import { TcpProxy } from './helpers/tcp-proxy.ts';

let relay: RelayProcess;
let proxy: TcpProxy;

beforeAll(async () => {
  relay = await startRelay();
  proxy = await TcpProxy.start(relay.port);
});

afterAll(async () => {
  await proxy?.close();
  await relay?.cleanup();
});

it('keeps the outbox in IndexedDB across a restart and flushes it in order', async () => {
  const [alice, bob] = await Promise.all([registerAccount(relay.url, 'Alice'), registerAccount(relay.url, 'Bob')]);
  const openStore = indexedDbClientStoreOpener();
  const first = await TestClient.signedIn(proxy.url, alice, { openStore });
  const conv = (await first.engine.createDirect(bob.user.id)).id;
  await first.engine.send(conv, 'online first');
  await waitFor(() => first.messages(conv)[0]?.seq === 1, 'the first stored');
  proxy.goOffline();
  await first.waitForDisconnect();
  const bodies = ['offline 1', 'offline 2', 'offline 3'];
  for (const body of bodies) await first.engine.send(conv, body);
  await first.dispose();

  proxy.goOnline();
  const second = new TestClient({ openStore, accounts: first.accounts });
  try {
    await second.engine.start();
    await waitFor(async () => (await relayLog(relay, bob.token, conv)).length === 4, 'all four on the relay');
    expect((await relayLog(relay, bob.token, conv)).map((m) => m.body)).toEqual(['online first', ...bodies]);
    await waitFor(async () => {
      const page = await second.engine.getMessages(conv, { limit: 10 });
      return page.messages.map((m) => `${m.seq}:${m.body}`).join() === '1:online first,2:offline 1,3:offline 2,4:offline 3';
    }, 'the device to hold the same four, once each');
  } finally {
    await second.dispose();
  }
});
