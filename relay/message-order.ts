// Order and completeness of live `msg` frames when several relay nodes
// publish into one conversation (docs/scaling.md, "Order and completeness").
// In one process a conversation's messages are published in seq order; across
// nodes they travel different paths (this node's own sends directly, the
// others' through Redis), and Redis may lose some (a node that died between
// its commit and its publish, a Redis restart). So each session's live
// `msg` frames pass through a MessageOrder: per conversation it remembers the
// last seq the session got, drops what it already has, and when a frame
// skips ahead, holds it. The missing frames are usually just behind, on the
// other path (two nodes committed one after the other and their publishes
// crossed), so it first waits a moment for them (the gap grace); only what
// is still missing then is read from the store (the truth), sent, and then
// what it held. Every socket thus gets each
// conversation's messages once, in ascending seq, without gaps.
//
// Only msg frames are ordered; other frames (receipts, typing, conversation
// changes) pass at once. A conversation the session did not know at its
// start (joined since) starts from its first live frame. On one node
// without Redis, nothing uses this: publishing is already in order there.
import type { Message } from '../src/shared/protocol/index.ts';
import { MAX_BATCH_MESSAGES } from '../src/shared/protocol/index.ts';
import type { FanoutEvent } from './fanout.ts';
import type { Logger } from './log.ts';
import { msgFrameText } from './message-frames.ts';
import type { RelayStore } from './store/types.ts';

type FrameEvent = Extract<FanoutEvent, { kind: 'frame' }>;

/**
 * How long a frame that skips ahead waits for the missing ones to arrive live
 * before they are read from the store. Frames of two nodes cross by a few
 * milliseconds; a lost publish (a node died, Redis restarted) is rare, and
 * this is all it costs. Without it, in a busy group written to from several
 * nodes a fifth of the messages caused a store read (docs/benchmarks.md).
 */
export const GAP_GRACE_MS = 100;

export interface GapCounters {
  /** A gap found (or a catch-up after Redis came back), and how many messages the store gave for it. */
  filled(messages: number): void;
  /** A gap the store could not fill (it failed): passed on, for the client's own gap rule. */
  unfilled(): void;
}

/**
 * Reads the messages missing after a seq. Sessions of one node that find the
 * same gap at once share one store read.
 */
export class GapReader {
  readonly #store: Pick<RelayStore, 'messagesAfter'>;
  readonly #inFlight = new Map<string, Promise<Message[]>>();

  constructor(store: Pick<RelayStore, 'messagesAfter'>) {
    this.#store = store;
  }

  /** Messages with seq > afterSeq, ascending, up to `untilSeq` (to the end of the log when absent). */
  read(conv: string, afterSeq: number, untilSeq?: number): Promise<Message[]> {
    const key = `${conv}\n${afterSeq}\n${untilSeq ?? ''}`;
    let reading = this.#inFlight.get(key);
    if (!reading) {
      reading = this.#readPages(conv, afterSeq, untilSeq).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, reading);
    }
    return reading;
  }

  async #readPages(conv: string, afterSeq: number, untilSeq: number | undefined): Promise<Message[]> {
    const messages: Message[] = [];
    let after = afterSeq;
    for (;;) {
      const wanted = untilSeq === undefined ? MAX_BATCH_MESSAGES : Math.min(MAX_BATCH_MESSAGES, untilSeq - after);
      if (wanted <= 0) return messages;
      const page = await this.#store.messagesAfter(conv, after, wanted);
      messages.push(...page);
      if (page.length < wanted) return messages;
      after = page.at(-1)?.seq ?? after;
    }
  }
}

interface ConversationState {
  /** The highest seq this session got (or skipped as its own). */
  last: number;
  /** Frames waiting for the missing ones (the gap grace, then a store read), when some are missing. */
  waiting: FrameEvent[] | undefined;
  /** The gap grace's timer, while it runs. */
  grace: NodeJS.Timeout | undefined;
}

export interface MessageOrderDeps {
  reader: GapReader;
  counters: GapCounters;
  log: Logger;
  /** GAP_GRACE_MS; 0 reads the store at once. */
  gapGraceMs: number;
}

export class MessageOrder {
  readonly #sessionId: string;
  readonly #send: (text: string) => void;
  readonly #deps: MessageOrderDeps;
  readonly #conversations = new Map<string, ConversationState>();

  /**
   * `baselines`: per conversation, the last seq the session start sent (or
   * knew of). `send` writes a frame to the socket.
   */
  constructor(sessionId: string, baselines: ReadonlyMap<string, number>, send: (text: string) => void, deps: MessageOrderDeps) {
    this.#sessionId = sessionId;
    this.#send = send;
    this.#deps = deps;
    for (const [conv, last] of baselines) this.#conversations.set(conv, { last, waiting: undefined, grace: undefined });
  }

  /** A live frame for the session. */
  accept(event: FrameEvent): void {
    const message = event.message;
    if (!message) {
      this.#emit(event);
      return;
    }
    const state = this.#conversations.get(message.conv);
    if (!state) {
      this.#conversations.set(message.conv, { last: message.seq, waiting: undefined, grace: undefined });
      this.#emit(event);
    } else if (state.waiting) {
      state.waiting.push(event);
      if (state.grace) this.#drain(state);
    } else {
      this.#place(message.conv, state, event);
    }
  }

  /** After Redis came back: sends what each conversation got meanwhile, from the store. */
  catchUp(): void {
    for (const [conv, state] of this.#conversations) {
      if (state.waiting) continue;
      state.waiting = [];
      this.#fill(conv, state, undefined);
    }
  }

  #place(conv: string, state: ConversationState, event: FrameEvent): void {
    const seq = (event.message as { seq: number }).seq;
    if (seq <= state.last) return;
    if (seq === state.last + 1) {
      state.last = seq;
      this.#emit(event);
      return;
    }
    state.waiting = [event];
    const graceMs = this.#deps.gapGraceMs;
    if (graceMs <= 0) {
      this.#fill(conv, state, seq - 1);
      return;
    }
    state.grace = setTimeout(() => {
      state.grace = undefined;
      const first = Math.min(...(state.waiting ?? []).map((held) => held.message?.seq ?? seq));
      this.#fill(conv, state, first - 1);
    }, graceMs);
    state.grace.unref();
  }

  /** During the gap grace: passes on what now continues the session's seq; once nothing is missing, the grace ends. */
  #drain(state: ConversationState): void {
    const waiting = (state.waiting ?? []).sort((a, b) => (a.message?.seq ?? 0) - (b.message?.seq ?? 0));
    while (waiting.length > 0) {
      const next = waiting[0] as FrameEvent;
      const seq = next.message?.seq ?? 0;
      if (seq > state.last + 1) return;
      waiting.shift();
      if (seq <= state.last) continue;
      state.last = seq;
      this.#emit(next);
    }
    clearTimeout(state.grace);
    state.grace = undefined;
    state.waiting = undefined;
  }

  #fill(conv: string, state: ConversationState, untilSeq: number | undefined): void {
    const { reader, counters, log } = this.#deps;
    reader
      .read(conv, state.last, untilSeq)
      .then(
        (messages) => {
          counters.filled(messages.length);
          for (const message of messages) {
            if (message.seq !== state.last + 1) continue;
            state.last = message.seq;
            this.#send(msgFrameText(JSON.stringify(message)));
          }
        },
        (error: unknown) => {
          counters.unfilled();
          log.warn({ err: error, conv, after: state.last }, 'filling a gap from the store failed; passing on what arrived');
        },
      )
      .finally(() => {
        const waiting = (state.waiting ?? []).sort((a, b) => (a.message?.seq ?? 0) - (b.message?.seq ?? 0));
        state.waiting = undefined;
        // What the store could not fill is passed on as it is: the client's own gap rule recovers it.
        const first = waiting[0]?.message?.seq;
        if (first !== undefined && untilSeq !== undefined && state.last < first - 1) state.last = first - 1;
        for (const event of waiting) {
          // Placing one may have started another read: the rest wait for it.
          const refilling = waitingOf(state);
          if (refilling) refilling.push(event);
          else this.#place(conv, state, event);
        }
      });
  }

  #emit(event: FrameEvent): void {
    if (event.exceptSession !== this.#sessionId) this.#send(event.text);
  }
}

/** A function, so that the compiler does not keep a narrowing the loop above invalidates. */
function waitingOf(state: ConversationState): FrameEvent[] | undefined {
  return state.waiting;
}

/** Builds each session's MessageOrder at the end of its start; one per relay node in a cluster. */
export class MessageOrdering {
  readonly #deps: MessageOrderDeps;

  constructor(store: Pick<RelayStore, 'messagesAfter'>, counters: GapCounters, log: Logger, gapGraceMs = GAP_GRACE_MS) {
    this.#deps = { reader: new GapReader(store), counters, log, gapGraceMs };
  }

  forSession(session: { readonly id: string; sendText(text: string): void }, baselines: ReadonlyMap<string, number>): MessageOrder {
    return new MessageOrder(session.id, baselines, (text) => session.sendText(text), this.#deps);
  }
}
