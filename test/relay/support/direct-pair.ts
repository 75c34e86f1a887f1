// Two fresh users, each signed in on one socket, who share a new direct
// conversation: the starting point of most messaging tests.
import type { AuthResponse } from '../../../src/shared/protocol/index.ts';
import { register, TestClient } from './client.ts';
import type { TestRelay } from './relay.ts';

export interface DirectPair {
  alice: AuthResponse;
  bob: AuthResponse;
  a: TestClient;
  b: TestClient;
  conv: string;
}

/** `relay`: a relay in this process or a RelayProcess. */
export async function directPair(relay: Pick<TestRelay, 'url' | 'wsUrl'>): Promise<DirectPair> {
  const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
  const [[a], [b]] = await Promise.all([TestClient.signIn(relay.wsUrl, alice.token), TestClient.signIn(relay.wsUrl, bob.token)]);
  const created = await a.request({ t: 'create', kind: 'direct', with: bob.user.id });
  if (created.t !== 'conv') throw new Error('create failed');
  await b.next('conv');
  return { alice, bob, a, b, conv: created.conv.id };
}
