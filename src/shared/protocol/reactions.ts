// What a `react` body may be (docs/protocol.md, "Reactions: the emoji rule"):
// exactly one emoji, or "" to remove the sender's reaction. Both sides use
// it: the relay refuses anything else with `nack invalid`, the apps offer
// only what it accepts.
import { MAX_REACTION_CODE_POINTS, MESSAGE_CHANGE_KINDS, type MessageChangeKind } from './constants.ts';
import { codePointLength } from './content.ts';

// One element of an emoji ZWJ sequence, after UTS #51's "possible emoji"
// grammar: a flag (two regional indicators), a keycap (`1️⃣`, `#️⃣`), or a
// pictographic character with an optional skin tone, emoji presentation
// selector or tag sequence (the flags of England, Scotland, Wales).
// Extended_Pictographic includes the code points Unicode reserves for future
// emoji, so an emoji newer than this code still passes.
const ELEMENT = String.raw`(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F|[\u{E0020}-\u{E007E}]+\u{E007F})?)`;
const EMOJI_SEQUENCE = new RegExp(String.raw`^${ELEMENT}(?:\u200D${ELEMENT})*$`, 'u');

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Whether `text` is exactly one emoji: one grapheme cluster (as the user
 * sees one character) that is an emoji sequence. Accepts `👍`, `❤️`, `👍🏽`,
 * `🇫🇷`, `👨‍👩‍👧‍👦`, `1️⃣`; refuses text, digits, two emoji, a lone skin tone or
 * regional indicator, whitespace around an emoji, and "".
 */
export function isReactionEmoji(text: string): boolean {
  if (text.length === 0 || codePointLength(text) > MAX_REACTION_CODE_POINTS) return false;
  if (!EMOJI_SEQUENCE.test(text)) return false;
  // The grammar allows ZWJ chains that Unicode's segmentation would split
  // (a flag joined to a flag, say): insist on what a user sees as one.
  const segments = graphemes.segment(text)[Symbol.iterator]();
  const first = segments.next();
  return !first.done && first.value.segment === text;
}

/** Whether a `send`'s `kind` is one this protocol version knows. */
export function isMessageChangeKind(kind: string): kind is MessageChangeKind {
  return (MESSAGE_CHANGE_KINDS as readonly string[]).includes(kind);
}
