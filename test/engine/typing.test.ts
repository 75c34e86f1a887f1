// Typing indicators with fake timers: what goes on the wire for the user's
// own typing, and how long others' typing states last.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DuplexEvent } from '../../src/shared/api.ts';
import { Typing } from '../../src/shared/engine/typing.ts';
import type { TypingFrame } from '../../src/shared/protocol/index.ts';

function typing() {
  const sent: Array<{ at: number; on: boolean }> = [];
  const events: DuplexEvent[] = [];
  const start = Date.now();
  const subject = new Typing(
    (frame: TypingFrame) => {
      sent.push({ at: Date.now() - start, on: frame.on });
      return true;
    },
    (event) => events.push(event),
    { typingRefreshMs: 3_000, typingIdleMs: 5_000, remoteTypingExpiryMs: 6_000 },
  );
  const typingUsers = () => events.flatMap((e) => (e.type === 'typing' ? [e.users] : []));
  return { subject, sent, typingUsers };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('own typing', () => {
  it('sends `on` at most every 3 s while typing and `off` after 5 s without a keystroke', () => {
    const { subject, sent } = typing();
    // A keystroke every 500 ms for 10 s, then silence.
    for (let t = 0; t < 10_000; t += 500) {
      subject.setTyping('c1', true);
      vi.advanceTimersByTime(500);
    }
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([
      { at: 0, on: true },
      { at: 3_000, on: true },
      { at: 6_000, on: true },
      { at: 9_000, on: true },
      { at: 9_500 + 5_000, on: false },
    ]);
  });

  it('sends `off` at once when typing stops or the message is sent, and nothing when nothing was on', () => {
    const { subject, sent } = typing();
    subject.setTyping('c1', true);
    vi.advanceTimersByTime(1_000);
    subject.stop('c1');
    subject.stop('c1');
    subject.setTyping('c2', false);
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([
      { at: 0, on: true },
      { at: 1_000, on: false },
    ]);
  });
});

describe('others typing', () => {
  it('lists a user until their `off`, or until 6 s pass without a refresh', () => {
    const { subject, typingUsers } = typing();
    subject.received({ t: 'typing', conv: 'c1', user: 'bob', on: true });
    subject.received({ t: 'typing', conv: 'c1', user: 'carol', on: true });
    vi.advanceTimersByTime(4_000);
    subject.received({ t: 'typing', conv: 'c1', user: 'bob', on: true });
    vi.advanceTimersByTime(2_500);
    expect(typingUsers()).toEqual([['bob'], ['bob', 'carol'], ['bob']]);
    subject.received({ t: 'typing', conv: 'c1', user: 'bob', on: false });
    subject.received({ t: 'typing', conv: 'c1', user: 'bob', on: false });
    expect(typingUsers().at(-1)).toEqual([]);
    expect(typingUsers()).toHaveLength(4);
  });

  it('forgets everyone when the connection is lost', () => {
    const { subject, typingUsers } = typing();
    subject.received({ t: 'typing', conv: 'c1', user: 'bob', on: true });
    subject.received({ t: 'typing', conv: 'c2', user: 'carol', on: true });
    subject.reset();
    vi.advanceTimersByTime(10_000);
    expect(typingUsers()).toEqual([['bob'], ['carol'], [], []]);
  });
});
