// The gap-filling sequencer (relay/message-order.ts) on a real SQLite store:
// a session's live msg frames come out once, in ascending seq, without gaps,
// whatever order (and loss) they arrive in.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { FanoutEvent } from '../../relay/fanout.ts';
import { createLogger } from '../../relay/log.ts';
import { msgFrameText } from '../../relay/message-frames.ts';
import { GapReader, MessageOrder, type GapCounters } from '../../relay/message-order.ts';
import { openSqliteStore } from '../../relay/store/sqlite.ts';
import type { RelayStore } from '../../relay/store/types.ts';
import { MAX_BATCH_MESSAGES, type Message } from '../../src/shared/protocol/index.ts';

type FrameEvent = Extract<FanoutEvent, { kind: 'frame' }>;

let store: RelayStore;
let conv: string;
let sender: string;
let log: Message[];
let sent: number[];
let counts: { filled: number; messages: number; unfilled: number };
let counters: GapCounters;

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  const alice = (await store.createUser({ username: 'alice', displayName: 'Alice', passwordHash: 'x' }, 1))!;
  const bob = (await store.createUser({ username: 'bob', displayName: 'Bob', passwordHash: 'x' }, 1))!;
  conv = (await store.openDirect(alice.id, bob.id, 1)).conversation.id;
  sender = alice.id;
  log = [];
  sent = [];
  counts = { filled: 0, messages: 0, unfilled: 0 };
  counters = {
    filled: (messages) => {
      counts.filled++;
      counts.messages += messages;
    },
    unfilled: () => counts.unfilled++,
  };
});
afterEach(async () => {
  await store.close().catch(() => {});
});

/** Stores `count` messages (as a node would, publishing or not). */
async function commit(count: number): Promise<void> {
  const drafts = Array.from({ length: count }, () => ({ sender, cid: crypto.randomUUID(), conv, body: `m${log.length}` }));
  for (const outcome of await store.appendMessages(drafts, () => null, Date.now())) {
    if (outcome.kind === 'stored') log.push(outcome.message);
  }
}

function live(seq: number, extra: Partial<FrameEvent> = {}): FrameEvent {
  const message = log[seq - 1] as Message;
  return { kind: 'frame', text: msgFrameText(JSON.stringify(message)), message: { conv: message.conv, seq }, ...extra };
}

/** Without a gap grace unless one is given: the store is read at once. */
function order(baseline: number, reader = new GapReader(store), gapGraceMs = 0): MessageOrder {
  return new MessageOrder('session-1', new Map([[conv, baseline]]), (text) => sent.push(JSON.parse(text).msg.seq), {
    reader,
    counters,
    log: createLogger('silent'),
    gapGraceMs,
  });
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('MessageOrder', () => {
  test('passes frames in order at once and drops what the session already has', async () => {
    await commit(3);
    const ordered = order(1);
    ordered.accept(live(1));
    ordered.accept(live(2));
    ordered.accept(live(3));
    ordered.accept(live(2));
    expect(sent).toEqual([2, 3]);
    expect(counts.filled).toBe(0);
  });

  test('a frame that skips ahead waits while the missing ones are read from the store', async () => {
    await commit(6);
    const ordered = order(1);
    ordered.accept(live(4));
    // Arriving during the read: held behind it, in seq order.
    ordered.accept(live(6));
    ordered.accept(live(5));
    ordered.accept(live(2));
    expect(sent).toEqual([]);
    await settled();
    expect(sent).toEqual([2, 3, 4, 5, 6]);
    expect(counts).toEqual({ filled: 1, messages: 2, unfilled: 0 });
  });

  test('with a gap grace, frames that arrive within it fill the gap without a store read', async () => {
    await commit(5);
    const reads = vi.spyOn(store, 'messagesAfter');
    const ordered = order(1, new GapReader(store), 60_000);
    ordered.accept(live(4));
    ordered.accept(live(3));
    expect(sent).toEqual([]);
    ordered.accept(live(2, { exceptSession: 'session-1' }));
    expect(sent).toEqual([3, 4]);
    ordered.accept(live(5));
    expect(sent).toEqual([3, 4, 5]);
    expect(reads).not.toHaveBeenCalled();
    expect(counts.filled).toBe(0);
  });

  test('with a gap grace, what is still missing when it ends is read from the store', async () => {
    await commit(6);
    const ordered = order(1, new GapReader(store), 30);
    ordered.accept(live(5));
    ordered.accept(live(3));
    ordered.accept(live(2));
    expect(sent).toEqual([2, 3]);
    await vi.waitFor(() => expect(sent).toEqual([2, 3, 4, 5]));
    expect(counts).toEqual({ filled: 1, messages: 1, unfilled: 0 });
    ordered.accept(live(6));
    expect(sent).toEqual([2, 3, 4, 5, 6]);
  });

  test('the session’s own message (answered with an ack) is counted as had, not sent', async () => {
    await commit(3);
    const ordered = order(0);
    ordered.accept(live(1));
    ordered.accept(live(2, { exceptSession: 'session-1' }));
    ordered.accept(live(3));
    expect(sent).toEqual([1, 3]);
  });

  test('other frames pass at once; a conversation unknown at the start begins with its first frame', async () => {
    await commit(2);
    const ordered = new MessageOrder('s', new Map(), (text) => sent.push(JSON.parse(text).msg?.seq ?? -1), {
      reader: new GapReader(store),
      counters,
      log: createLogger('silent'),
      gapGraceMs: 0,
    });
    ordered.accept({ kind: 'frame', text: '{"t":"typing"}', ephemeral: true });
    ordered.accept(live(2));
    ordered.accept(live(1));
    expect(sent).toEqual([-1, 2]);
  });

  test('catchUp sends what the conversation got meanwhile, from the store', async () => {
    await commit(2);
    const ordered = order(0);
    ordered.accept(live(1));
    await commit(3);
    ordered.catchUp();
    ordered.accept(live(5));
    await settled();
    expect(sent).toEqual([1, 2, 3, 4, 5]);
    ordered.accept(live(4));
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  test('when the store cannot be read, what arrived is passed on (the client’s gap rule takes over), without looping', async () => {
    await commit(4);
    const ordered = order(1);
    await store.close();
    ordered.accept(live(3));
    ordered.accept(live(4));
    await settled();
    expect(sent).toEqual([3, 4]);
    expect(counts.unfilled).toBe(1);
  });

  test('sessions that find the same gap at once share one store read', async () => {
    await commit(200);
    const reader = new GapReader(store);
    const reads = vi.spyOn(store, 'messagesAfter');
    const sessions = Array.from({ length: 5 }, () => order(0, reader));
    for (const each of sessions) each.accept(live(200));
    await settled();
    // One read (in pages of MAX_BATCH_MESSAGES) for all five.
    expect(reads).toHaveBeenCalledTimes(Math.ceil(199 / MAX_BATCH_MESSAGES));
    expect(sent.length).toBe(5 * 200);
  });
});
