// The emoji rule of reactions (src/shared/protocol/reactions.ts,
// docs/protocol.md "Reactions: the emoji rule"): examples of each accepted
// and refused form, and properties over generated strings. The relay's
// answers to the same cases over a socket are in test/relay/changes.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMessageChangeKind, isReactionEmoji, MAX_REACTION_CODE_POINTS } from '../../src/shared/protocol/index.ts';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemeCount = (text: string) => [...graphemes.segment(text)].length;

const BASES = ['👍', '👋', '🙏', '🤝', '🧑', '👩', '🏃', '💪'];
const SKIN_TONES = ['🏻', '🏼', '🏽', '🏾', '🏿'];
const SAMPLES = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🔥', '🎉', '🇫🇷', '🇯🇵', '1️⃣', '#️⃣', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'];
const regionalIndicator = fc.integer({ min: 0x1f1e6, max: 0x1f1ff }).map((code) => String.fromCodePoint(code));
const sample = fc.constantFrom(...SAMPLES);
/** Strings built from emoji and the parts of emoji sequences, so that many are accepted and many nearly so. */
const emojiLike = fc
  .array(fc.oneof(sample, regionalIndicator, fc.constantFrom('\u200d', '\ufe0f', '\u20e3', '🏽', ' ', 'a', '1', '#')), { maxLength: 5 })
  .map((parts) => parts.join(''));

describe('what a reaction may be', () => {
  it.each([
    ['a thumbs up', '👍'],
    ['a heart with its presentation selector', '❤️'],
    ['a bare heart', '❤'],
    ['a skin tone', '👍🏽'],
    ['a flag', '🇫🇷'],
    ['a subdivision flag (tag sequence)', '🏴󠁧󠁢󠁷󠁬󠁳󠁿'],
    ['a ZWJ family', '👨‍👩‍👧‍👦'],
    ['a ZWJ sequence with two skin tones', '🧑🏽‍🤝‍🧑🏿'],
    ['a ZWJ sequence with presentation selectors', '🏳️‍⚧️'],
    ['a keycap', '1️⃣'],
    ['a keycap without its selector', '#⃣'],
    ['a double exclamation mark, punctuation that is also an emoji', '‼'],
  ])('accepts %s', (_, text) => {
    expect(isReactionEmoji(text)).toBe(true);
  });

  it.each([
    ['nothing (removal is the relay\'s "" case, not an emoji)', ''],
    ['a letter', 'a'],
    ['a word', 'ok'],
    ['a digit', '7'],
    ['whitespace', ' '],
    ['a newline', '\n'],
    ['two emoji', '👍👍'],
    ['two flags', '🇫🇷🇩🇪'],
    ['an emoji and a space', '👍 '],
    ['a space and an emoji', ' 👍'],
    ['an emoji and a letter', '👍a'],
    ['a lone skin tone', '🏽'],
    ['a lone regional indicator', '🇫'],
    ['a lone zero width joiner', '\u200d'],
    ['a letter with a combining mark', 'é'],
    ['an emoji with a combining mark', '😀\u0301'],
    ['a lone presentation selector', '\ufe0f'],
  ])('refuses %s', (_, text) => {
    expect(isReactionEmoji(text)).toBe(false);
  });

  it('accepts every skin tone on every base, and every keycap', () => {
    for (const base of BASES) for (const tone of SKIN_TONES) expect(isReactionEmoji(base + tone), base + tone).toBe(true);
    for (const key of '0123456789#*') {
      expect(isReactionEmoji(`${key}\ufe0f\u20e3`), key).toBe(true);
      expect(isReactionEmoji(key), key).toBe(false);
    }
  });

  it('accepts any pair of regional indicators (a flag), refuses one or three', () => {
    fc.assert(
      fc.property(regionalIndicator, regionalIndicator, regionalIndicator, (a, b, c) => {
        expect(isReactionEmoji(a + b)).toBe(true);
        expect(isReactionEmoji(a)).toBe(false);
        expect(isReactionEmoji(a + b + c)).toBe(false);
      }),
    );
  });

  it('refuses two emoji side by side, and an emoji with anything around it', () => {
    fc.assert(
      fc.property(sample, sample, fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }), (first, second, around) => {
        expect(isReactionEmoji(first + second)).toBe(false);
        // Unless what is around it extends the cluster into another emoji, adding it refuses.
        const before = around + first;
        const after = first + around;
        if (graphemeCount(before) > 1) expect(isReactionEmoji(before)).toBe(false);
        if (graphemeCount(after) > 1) expect(isReactionEmoji(after)).toBe(false);
      }),
    );
  });

  it('whatever it accepts is one grapheme cluster of a few code points, with no whitespace, letter or digit alone', () => {
    fc.assert(
      fc.property(fc.oneof(emojiLike, fc.string({ maxLength: 12, unit: 'binary' })), (text) => {
        if (!isReactionEmoji(text)) return;
        expect(graphemeCount(text)).toBe(1);
        expect([...text].length).toBeLessThanOrEqual(MAX_REACTION_CODE_POINTS);
        expect(text).not.toMatch(/\s/u);
        expect(text).not.toMatch(/^[\p{L}\p{N}]$/u);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses text made of letters, digits, punctuation and spaces', () => {
    fc.assert(
      // ‼ and ⁉ are punctuation and emoji both (Extended_Pictographic): as
      // emoji they are accepted, so text here leaves them out.
      fc.property(fc.stringMatching(/^[\p{L}\p{N}\p{P}\s]{0,8}$/u).filter((text) => !/\p{Extended_Pictographic}/u.test(text)), (text) => {
        expect(isReactionEmoji(text)).toBe(false);
      }),
    );
  });

  it('refuses anything longer than the longest emoji sequence', () => {
    const chain = Array.from({ length: 9 }, () => '👩').join('\u200d');
    expect(graphemeCount(chain)).toBe(1);
    expect(isReactionEmoji(chain)).toBe(false);
  });
});

describe('change kinds', () => {
  it('knows edit, delete and react only', () => {
    expect(['edit', 'delete', 'react', 'pin', '', 'EDIT'].map(isMessageChangeKind)).toEqual([true, true, true, false, false, false]);
  });
});
