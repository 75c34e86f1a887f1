// The message body rules of src/shared/protocol/content.ts, which the relay
// and the engine both apply (each side's wording is tested with its side:
// test/relay/bad-input.test.ts, test/engine/messaging.test.ts).
import { describe, expect, it } from 'vitest';
import {
  bodyFitsInFrame,
  bodyProblem,
  MAX_FRAME_BYTES,
  MAX_REACTIONS_PER_MESSAGE,
  MAX_THUMB_LENGTH,
  type Message,
  utf8Length,
} from '../../src/shared/protocol/index.ts';

describe('message body rules', () => {
  it('fits every body of up to 4096 code points in a frame, not huge padding', () => {
    expect(bodyFitsInFrame('\u0001'.repeat(4096))).toBe(true);
    expect(bodyFitsInFrame('😀'.repeat(4096))).toBe(true);
    expect(bodyFitsInFrame(`x${' '.repeat(65_000)}`)).toBe(false);
  });

  it('names what is wrong with a body', () => {
    expect(bodyProblem('hello')).toBeNull();
    expect(bodyProblem(' \n\t ')).toBe('blank');
    expect(bodyProblem('😀'.repeat(4096))).toBeNull();
    expect(bodyProblem('😀'.repeat(4097))).toBe('too_long');
    expect(bodyProblem(`  ${'x'.repeat(4096)}  `)).toBeNull();
    expect(bodyProblem(`x${' '.repeat(65_000)}`)).toBe('too_large');
  });

  it('measures UTF-8 as the encoder does, lone surrogates included', () => {
    for (const text of ['', 'ascii', 'é ß', '€ ☃', '😀 𝄞', '\ud800', 'a\udc00b', '\ud83d\ud83d\ude00']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).length);
    }
  });

  it('leaves room for a file and every reaction a message may get: the largest MSG that passes still fits a frame', () => {
    const id = 'f'.repeat(36);
    const longestEmoji = '\u{1F469}'.repeat(16);
    const largest = (body: string, withFile: boolean): Message => ({
      conv: id,
      seq: Number.MAX_SAFE_INTEGER,
      cid: 'c'.repeat(64),
      from: id,
      body,
      ts: Number.MAX_SAFE_INTEGER,
      replyTo: Number.MAX_SAFE_INTEGER,
      forwarded: true,
      editedAt: Number.MAX_SAFE_INTEGER,
      reactions: Object.fromEntries(
        Array.from({ length: MAX_REACTIONS_PER_MESSAGE }, (_, i) => [`${String(i).padStart(36, '0')}`, longestEmoji]),
      ),
      ...(withFile && {
        file: {
          id: 'i'.repeat(24),
          name: 'n'.repeat(255),
          mime: 'm'.repeat(255),
          size: Number.MAX_SAFE_INTEGER,
          width: 100_000,
          height: 100_000,
          durationMs: 604_800_000,
          thumb: `data:image/jpeg;base64,${'A'.repeat(MAX_THUMB_LENGTH - 23)}`,
        },
      }),
    });
    for (const withFile of [false, true]) {
      // The most padding a body may carry and still pass.
      let padding = 0;
      for (let step = 65_536; step >= 1; step /= 2) if (bodyFitsInFrame(`x${' '.repeat(padding + step)}`, withFile)) padding += step;
      const body = `x${' '.repeat(padding)}`;
      expect(bodyFitsInFrame(body, withFile)).toBe(true);
      const frame = JSON.stringify({ t: 'history', rid: 'r'.repeat(64), conv: id, msgs: [largest(body, withFile)], more: true });
      expect(utf8Length(frame)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
  });
});
