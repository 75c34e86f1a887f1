// The message body rules of src/shared/protocol/content.ts, which the relay
// and the engine both apply (each side's wording is tested with its side:
// test/relay/bad-input.test.ts, test/engine/messaging.test.ts).
import { describe, expect, it } from 'vitest';
import { bodyFitsInFrame, bodyProblem, utf8Length } from '../../src/shared/protocol/index.ts';

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
});
