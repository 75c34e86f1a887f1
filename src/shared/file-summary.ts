// What kind of file a message carries, and the one line that stands for a
// message with a file where there is no room for the file itself: desktop
// and web notifications, and (as ChatMessage.fileKind and .summary, set by
// the engine's views, since the renderer may import no values from
// src/shared) the UI's bubbles and chat list. As WhatsApp says it:
// "📷 Photo", "🎤 Voice message", "📄 NAME", then the caption if any.
import type { ChatFile, FileKind } from './api.ts';

/** A photo is an image (never SVG, which is active content) sent as one: with
 * the dimensions the sender's device found. An image sent as a document
 * ("Send as document", its original bytes) carries none and is a document,
 * as in WhatsApp. */
export function fileKind(file: Pick<ChatFile, 'mime' | 'width'>): FileKind {
  if (file.mime.startsWith('image/') && file.mime !== 'image/svg+xml' && file.width !== undefined) return 'photo';
  if (file.mime.startsWith('audio/')) return 'voice';
  return 'document';
}

/** What a message says in one line: the text, or its file and caption. */
export function messageSummary(message: { body: string; file?: Pick<ChatFile, 'mime' | 'name' | 'width'> }): string {
  const { file, body } = message;
  if (!file) return body;
  const kind = fileKind(file);
  const label = kind === 'photo' ? '📷 Photo' : kind === 'voice' ? '🎤 Voice message' : `📄 ${file.name}`;
  return body.trim() ? `${label} ${body}` : label;
}
