// The one line that stands for a message with a file where there is no room
// for the file itself: desktop notifications here, and the renderer's chat
// list (src/renderer/files/formatFile.ts, which may import no values from
// here; test/renderer/format-file.test.ts holds the two to the same words).
// As WhatsApp says it: "📷 Photo", "🎤 Voice message", "📄 NAME", then the
// caption if any.
import type { ChatFile } from './api.ts';

export type FileKind = 'photo' | 'voice' | 'document';

export function fileKind(file: Pick<ChatFile, 'mime'>): FileKind {
  if (file.mime.startsWith('image/') && file.mime !== 'image/svg+xml') return 'photo';
  if (file.mime.startsWith('audio/')) return 'voice';
  return 'document';
}

/** What a message says in one line: the text, or its file and caption. */
export function messageSummary(message: { body: string; file?: Pick<ChatFile, 'mime' | 'name'> }): string {
  const { file, body } = message;
  if (!file) return body;
  const kind = fileKind(file);
  const label = kind === 'photo' ? '📷 Photo' : kind === 'voice' ? '🎤 Voice message' : `📄 ${file.name}`;
  return body.trim() ? `${label} ${body}` : label;
}
