// The group commit's pipeline (relay/group-commit.ts), on the relay's own
// store thread: the next batch goes to the store as soon as the previous one
// is committed, before that one's senders are answered, so that the store
// commits it while the main thread writes the acks and deliveries; and
// nobody is answered before their own batch is committed. The store is real;
// the test only holds each appendMessages result back until it releases it,
// to see the order of events.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { GroupCommit } from '../../relay/group-commit.ts';
import { judgeSend } from '../../relay/handlers/send.ts';
import { createLogger } from '../../relay/log.ts';
import { RelayMetrics } from '../../relay/metrics.ts';
import { bucketLimiter, TokenBuckets } from '../../relay/rate-limit.ts';
import { SendOrder } from '../../relay/send-order.ts';
import { STORE_FUNCTIONS } from '../../relay/store-functions.ts';
import { openStoreThread } from '../../relay/store/store-thread.ts';
import type { AppendOutcome, MessageDraft, RelayStore } from '../../relay/store/types.ts';

describe('group commit', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('the next batch is handed to the store before the previous one is answered, and each is answered after its commit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'duplex-group-commit-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = await openStoreThread(path.join(dir, 'relay.db'), STORE_FUNCTIONS);
    cleanups.push(() => store.close());
    const alice = (await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'h' }, 1))!;
    const bob = (await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'h' }, 1))!;
    const conv = await store.createGroup(alice.id, 'g', [bob.id], 1);

    const events: string[] = [];
    /** One release per appendMessages call, in call order: lets its (already committed) result through. */
    const releases: Array<() => void> = [];
    const gated = new Proxy(store, {
      get(target, name) {
        const member = (target as unknown as Record<string | symbol, unknown>)[name];
        if (name !== 'appendMessages') return member;
        return async (...args: Parameters<RelayStore['appendMessages']>) => {
          const cids = args[0].map((draft) => draft.cid).join(',');
          events.push(`stored ${cids}`);
          const outcomes = await target.appendMessages(...args);
          await new Promise<void>((release) => releases.push(release));
          return outcomes;
        };
      },
    });
    const groupCommit = new GroupCommit(
      gated,
      judgeSend,
      bucketLimiter(new TokenBuckets(100, 100)),
      1_000,
      new RelayMetrics(),
      createLogger('silent'),
    );
    const order = new SendOrder();
    const draft = (cid: string): MessageDraft => ({ sender: alice.id, cid, conv: conv.id, body: cid });
    const submit = (cid: string): Promise<AppendOutcome> =>
      groupCommit.submit(draft(cid), order).then((outcome) => {
        events.push(`answered ${cid}`);
        return outcome;
      });

    const first = submit('cid-first');
    await vi.waitFor(() => expect(releases).toHaveLength(1));
    // Arrives while the first batch is in the store: it forms the second.
    const second = submit('cid-second');
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['stored cid-first']);

    releases[0]?.();
    await vi.waitFor(() => expect(releases).toHaveLength(2));
    await first;
    expect(events).toEqual(['stored cid-first', 'stored cid-second', 'answered cid-first']);

    releases[1]?.();
    const outcomes = [await first, await second];
    expect(events.at(-1)).toBe('answered cid-second');
    expect(outcomes.map((outcome) => (outcome.kind === 'stored' ? outcome.message.seq : outcome.kind))).toEqual([1, 2]);
    await groupCommit.drain();
  });
});
