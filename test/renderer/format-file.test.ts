// How the UI measures files in text, and the renderer's copies of the relay's
// limits (it may import no values from src/shared): they must be the same.
import { describe, expect, it } from 'vitest';
import { MAX_THUMB_LENGTH, MAX_UPLOAD_BYTES } from '../../src/shared/protocol/constants.ts';
import { formatDuration, formatFileSize } from '../../src/renderer/files/formatFile.ts';
import { MAX_FILE_BYTES, MAX_THUMB_CHARS } from '../../src/renderer/files/limits.ts';

describe('file text', () => {
  it('restates the relay’s limits exactly', () => {
    expect(MAX_FILE_BYTES).toBe(MAX_UPLOAD_BYTES);
    expect(MAX_THUMB_CHARS).toBe(MAX_THUMB_LENGTH);
  });

  it('formats sizes and durations', () => {
    expect(formatFileSize(512)).toBe('512 B');
    expect(formatFileSize(2048)).toBe('2.0 KB');
    expect(formatFileSize(300 * 1024)).toBe('300 KB');
    expect(formatFileSize(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_400)).toBe('1:05');
  });
});
