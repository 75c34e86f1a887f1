// How the UI names files in text, and the renderer's copies of shared rules
// (it may import no values from src/shared): they must give the same answers.
import { describe, expect, it } from 'vitest';
import { messageSummary as sharedSummary } from '../../src/shared/file-summary.ts';
import { MAX_THUMB_LENGTH, MAX_UPLOAD_BYTES } from '../../src/shared/protocol/constants.ts';
import { formatDuration, formatFileSize, messageSummary } from '../../src/renderer/files/formatFile.ts';
import { MAX_FILE_BYTES, MAX_THUMB_CHARS } from '../../src/renderer/files/limits.ts';

describe('file text', () => {
  it('sums a message up as notifications do', () => {
    const cases = [
      { body: 'plain text' },
      { body: '', file: { mime: 'image/png', name: 'a.png' } },
      { body: 'caption', file: { mime: 'image/jpeg', name: 'a.jpg' } },
      { body: '  ', file: { mime: 'audio/ogg', name: 'v.ogg' } },
      { body: '', file: { mime: 'application/pdf', name: 'Minutes.pdf' } },
      { body: '', file: { mime: 'image/svg+xml', name: 'logo.svg' } },
      { body: 'x', file: { mime: '', name: 'unknown' } },
    ];
    for (const message of cases) expect(messageSummary(message)).toBe(sharedSummary(message));
    expect(messageSummary(cases[1]!)).toBe('📷 Photo');
    expect(messageSummary(cases[3]!)).toBe('🎤 Voice message');
    expect(messageSummary(cases[4]!)).toBe('📄 Minutes.pdf');
  });

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
