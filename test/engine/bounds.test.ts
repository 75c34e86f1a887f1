// The engine's in-memory queues stay bounded whatever the relay or the UI do:
// requests waiting for answers, and messages waiting above a gap. Each with
// its real module and an in-memory SQLite store; no relay.
import { describe, expect, it } from 'vitest';
import { SqliteClientStore } from '../../src/main/store/sqlite-client-store.ts';
import type { DuplexEvent } from '../../src/shared/api.ts';
import { Conversations } from '../../src/shared/engine/conversations.ts';
import { MAX_PENDING_REQUESTS, RequestError, Requests } from '../../src/shared/engine/requests.ts';
import { MAX_WAITING_PER_CONVERSATION, MessageSync } from '../../src/shared/engine/sync.ts';
import type { ClientFrame, Message } from '../../src/shared/protocol/index.ts';

const quiet = () => {};

describe('engine bounds', () => {
  it('refuses a request at once when too many are waiting, and takes one again when an answer comes', async () => {
    const sent: ClientFrame[] = [];
    const requests = new Requests((frame) => sent.push(frame) > 0, 60_000);
    const waiting = Array.from({ length: MAX_PENDING_REQUESTS }, () => requests.request({ t: 'users', q: 'a' }, 'users'));
    await expect(requests.request({ t: 'users', q: 'b' }, 'users')).rejects.toThrow(RequestError);
    expect(sent).toHaveLength(MAX_PENDING_REQUESTS);
    requests.settle({ t: 'users', rid: 'r1', users: [] });
    await expect(waiting[0]).resolves.toMatchObject({ t: 'users' });
    void requests.request({ t: 'users', q: 'c' }, 'users').catch(quiet);
    expect(sent).toHaveLength(MAX_PENDING_REQUESTS + 1);
    requests.rejectAll();
    await Promise.allSettled(waiting);
  });

  it('keeps at most MAX_WAITING_PER_CONVERSATION messages above a gap, those next to it', async () => {
    const store = new SqliteClientStore(':memory:', 'me');
    const events: DuplexEvent[] = [];
    const conversations = new Conversations(store, 'me', (event) => events.push(event), quiet);
    const { conversation } = conversations.merge({
      id: 'c1',
      kind: 'direct',
      title: null,
      members: [],
      lastSeq: 0,
      receipts: {},
      createdAt: 1,
    });
    const historyAsked: ClientFrame[] = [];
    const requests = new Requests((frame) => historyAsked.push(frame) > 0, 60_000);
    const sync = new MessageSync({
      store,
      conversations,
      requests,
      me: 'me',
      emit: (event) => events.push(event),
      write: (messages) => store.putMessages(messages),
      changesStored: async () => {},
      incomingStored: quiet,
      log: quiet,
    });
    const message = (seq: number): Message => ({ conv: 'c1', seq, cid: `cid-${seq}`, from: 'bob', body: `m${seq}`, ts: seq });
    // Seq 1 is missing; far more than the bound arrive above it.
    const above = Array.from({ length: MAX_WAITING_PER_CONVERSATION + 50 }, (_, i) => message(i + 2));
    await sync.live(above[0]!);
    for (let i = 1; i < above.length; i += 100) await sync.history({ t: 'history', rid: 'x', conv: 'c1', msgs: above.slice(i, i + 100), more: false });
    expect(historyAsked.length).toBeGreaterThan(0);
    // The gap is filled: what is shown is contiguous, up to the bound.
    await sync.history({ t: 'history', rid: 'x', conv: 'c1', msgs: [message(1)], more: false });
    const shown = events.flatMap((event) => (event.type === 'messages' ? event.messages.map((m) => m.seq) : []));
    expect(shown).toEqual(Array.from({ length: MAX_WAITING_PER_CONVERSATION + 1 }, (_, i) => i + 1));
    expect(conversation.cursor).toBe(MAX_WAITING_PER_CONVERSATION + 1);
    // Everything is stored all the same, for the next gap or `hello` to show.
    expect(await store.getMessages('c1', { limit: 2_000 })).toHaveLength(above.length + 1);
    requests.rejectAll();
    conversations.close();
    await store.close();
  });
});
