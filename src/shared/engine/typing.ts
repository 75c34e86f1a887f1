// Typing indicators, both ways (docs/protocol.md, "Receipts, typing, presence").
//
// Own typing: the UI reports every keystroke; on the wire `on` goes out at
// most every typingRefreshMs while typing (the relay keeps nothing, and other
// clients drop a state not refreshed within 6 s), and `off` after
// typingIdleMs without a keystroke, when the UI says typing stopped, or when
// the message is sent.
//
// Others' typing: a user stays in a conversation's typing list until their
// `off`, or until remoteTypingExpiryMs pass without a refresh.
import type { DuplexEvent } from '../api.ts';
import type { TypingFrame, TypingUpdateFrame } from '../protocol/index.ts';

export interface TypingTiming {
  typingRefreshMs: number;
  typingIdleMs: number;
  remoteTypingExpiryMs: number;
}

interface OwnTyping {
  lastOnSentAt: number;
  idleTimer: ReturnType<typeof setTimeout>;
}

export class Typing {
  private readonly send: (frame: TypingFrame) => boolean;
  private readonly emit: (event: DuplexEvent) => void;
  private readonly timing: TypingTiming;
  /** Conversations the user is typing in, with what went on the wire. */
  private readonly own = new Map<string, OwnTyping>();
  /** conversation → user → expiry timer. */
  private readonly remote = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  constructor(send: (frame: TypingFrame) => boolean, emit: (event: DuplexEvent) => void, timing: TypingTiming) {
    this.send = send;
    this.emit = emit;
    this.timing = timing;
  }

  /** A keystroke (`typing` true) or the UI saying typing stopped. */
  setTyping(conv: string, typing: boolean): void {
    if (!typing) {
      this.stop(conv);
      return;
    }
    const now = Date.now();
    const state = this.own.get(conv);
    if (state) clearTimeout(state.idleTimer);
    let lastOnSentAt = state?.lastOnSentAt ?? -Infinity;
    if (now - lastOnSentAt >= this.timing.typingRefreshMs && this.send({ t: 'typing', conv, on: true })) {
      lastOnSentAt = now;
    }
    const idleTimer = setTimeout(() => this.stop(conv), this.timing.typingIdleMs);
    this.own.set(conv, { lastOnSentAt, idleTimer });
  }

  /** Typing in `conv` ended (idle, cleared, or the message was sent). */
  stop(conv: string): void {
    const state = this.own.get(conv);
    if (!state) return;
    clearTimeout(state.idleTimer);
    this.own.delete(conv);
    if (state.lastOnSentAt > -Infinity) this.send({ t: 'typing', conv, on: false });
  }

  received(frame: TypingUpdateFrame): void {
    let users = this.remote.get(frame.conv);
    const previous = users?.get(frame.user);
    if (previous) clearTimeout(previous);
    if (frame.on) {
      if (!users) this.remote.set(frame.conv, (users = new Map()));
      users.set(
        frame.user,
        setTimeout(() => this.forget(frame.conv, frame.user), this.timing.remoteTypingExpiryMs),
      );
      if (!previous) this.emitTyping(frame.conv);
    } else if (previous) {
      this.forget(frame.conv, frame.user);
    }
  }

  /** The connection is gone: nobody's typing state can be trusted, and our
   * own `on` no longer stands on the relay. */
  reset(): void {
    for (const state of this.own.values()) clearTimeout(state.idleTimer);
    this.own.clear();
    for (const [conv, users] of this.remote) {
      for (const timer of users.values()) clearTimeout(timer);
      this.remote.delete(conv);
      this.emit({ type: 'typing', conv, users: [] });
    }
  }

  private forget(conv: string, user: string): void {
    const users = this.remote.get(conv);
    if (!users) return;
    const timer = users.get(user);
    if (timer) clearTimeout(timer);
    users.delete(user);
    if (users.size === 0) this.remote.delete(conv);
    this.emitTyping(conv);
  }

  private emitTyping(conv: string): void {
    this.emit({ type: 'typing', conv, users: [...(this.remote.get(conv)?.keys() ?? [])] });
  }
}
