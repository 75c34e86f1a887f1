// The rules a message body must meet (docs/protocol.md, "send"), in one place
// for both sides: the relay refuses a body that breaks them with
// `nack invalid` (relay/handlers/send.ts), and the engine refuses it before it
// reaches the outbox (src/shared/engine/session.ts), each in its own words.
import { MAX_BODY_CODE_POINTS, MAX_FRAME_BYTES, MAX_REACTIONS_BYTES, MAX_THUMB_LENGTH, THUMB_PATTERN } from './constants.ts';

/** What is wrong with a body: nothing but whitespace; more than
 * MAX_BODY_CODE_POINTS once trimmed; or so much surrounding whitespace that
 * the frame carrying it would pass MAX_FRAME_BYTES. */
export type BodyProblem = 'blank' | 'too_long' | 'too_large';

export function bodyProblem(body: string, withFile = false): BodyProblem | null {
  const trimmed = body.trim();
  // With a file, the body is an optional caption (PROTOCOL.md, "Files").
  if (trimmed.length === 0 && !withFile) return 'blank';
  // UTF-16 length bounds the code point count from above: count only when needed.
  if (trimmed.length > MAX_BODY_CODE_POINTS && codePointLength(trimmed) > MAX_BODY_CODE_POINTS) return 'too_long';
  // Trimming forgives surrounding whitespace, the frame size limit does not.
  if (!bodyFitsInFrame(body, withFile)) return 'too_large';
  return null;
}

/**
 * Whether a message with this body fits in any frame that carries it, now
 * and with every reaction it may get later. Bodies of up to 4096 code points
 * always do; only a body padded with kilobytes of whitespace can fail. 1 KiB
 * covers the envelope and the other fields, ids at their longest; the
 * reactions need MAX_REACTIONS_BYTES; a file (MSG.file) needs room for its
 * thumb, name and type on top.
 */
export function bodyFitsInFrame(body: string, withFile = false): boolean {
  const others = 1024 + MAX_REACTIONS_BYTES + (withFile ? MAX_THUMB_LENGTH + 2 * 1024 : 0);
  return utf8Length(JSON.stringify(body)) + others <= MAX_FRAME_BYTES;
}

/** Whether a file's `thumb` is what the protocol allows: a JPEG or WebP data URL of at most MAX_THUMB_LENGTH characters. */
export function isValidThumb(thumb: string): boolean {
  return thumb.length <= MAX_THUMB_LENGTH && THUMB_PATTERN.test(thumb);
}

/** Counts Unicode code points, as the protocol does for body lengths. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The UTF-8 size of a string, as TextEncoder would encode it (a lone
 * surrogate as the 3-byte replacement character), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
