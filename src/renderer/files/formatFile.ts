// How files are named in text: sizes and durations on bubbles, and the one
// line that stands for a message with a file in the chat list (docs/ui.md,
// "Files"): "📷 Photo", "🎤 Voice message", "📄 NAME". The renderer may import
// no values from src/shared, so this is a copy of src/shared/file-summary.ts,
// which notifications use; test/renderer/format-file.test.ts holds the two
// to the same answers.
import type { ChatFile } from '../../shared/api.ts';

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** m:ss */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

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
