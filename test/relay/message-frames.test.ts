// Packing messages into frames within the protocol's limits (relay/message-frames.ts).
import { describe, expect, test } from 'vitest';
import { batchFrameTexts, historyFrameText } from '../../relay/message-frames.ts';
import {
  MAX_BATCH_MESSAGES,
  MAX_FRAME_BYTES,
  type Message,
  parseRelayFrame,
} from '../../src/shared/protocol/index.ts';

/** Messages with ids at their longest, unless `shortIds`. */
function messages(count: number, body: (seq: number) => string = (seq) => `m${seq}`, shortIds = false): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    conv: shortIds ? 'c' : 'c'.repeat(128),
    seq: i + 1,
    cid: shortIds ? `cid-${i}` : 'x'.repeat(64),
    from: shortIds ? 'u' : 'u'.repeat(128),
    body: body(i + 1),
    ts: 1_700_000_000_000,
    replyTo: i > 0 ? i : undefined,
  }));
}

function parsed(text: string) {
  const result = parseRelayFrame(text);
  if (!result.ok) throw new Error(result.message);
  return result.frame;
}

describe('batchFrameTexts', () => {
  test('splits by count: at most 500 messages a frame, more only on the first', () => {
    const texts = batchFrameTexts('conv', messages(1001, undefined, true), true);
    const frames = texts.map(parsed);
    expect(frames.map((frame) => (frame.t === 'batch' ? [frame.msgs.length, frame.more] : []))).toEqual([
      [MAX_BATCH_MESSAGES, true],
      [MAX_BATCH_MESSAGES, false],
      [1, false],
    ]);
  });

  test('splits by size: no frame over 64 KiB, even with the largest bodies', () => {
    // Control characters are escaped as \\u00XX: six bytes each on the wire.
    const worst = messages(40, () => '\u0001'.repeat(4096));
    const texts = batchFrameTexts('conv', worst, false);
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const seqs = texts.flatMap((text) => {
      const frame = parsed(text);
      return frame.t === 'batch' ? frame.msgs.map((message) => message.seq) : [];
    });
    expect(seqs).toEqual(worst.map((message) => message.seq));
  });

  test('yields nothing for no messages', () => {
    expect(batchFrameTexts('conv', [], true)).toEqual([]);
  });
});

describe('historyFrameText', () => {
  test('keeps the newest messages that fit and sets more when it drops older ones', () => {
    const frame = parsed(historyFrameText('rid', 'conv', messages(30, () => 'é'.repeat(4096)), false));
    if (frame.t !== 'history') throw new Error('not history');
    expect(frame.more).toBe(true);
    expect(frame.msgs.at(-1)?.seq).toBe(30);
    expect(frame.msgs.length).toBeLessThan(30);
    const small = parsed(historyFrameText('rid', 'conv', messages(3), false));
    expect(small).toMatchObject({ t: 'history', rid: 'rid', conv: 'conv', more: false });
  });
});

