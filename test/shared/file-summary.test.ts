// The one line for a message with a file (src/shared/file-summary.ts), as
// notifications and the chat list say it.
import { describe, expect, it } from 'vitest';
import { fileKind, messageSummary } from '../../src/shared/file-summary.ts';

describe('file summary', () => {
  it('names a photo, a voice note or a document, then the caption', () => {
    expect(messageSummary({ body: 'plain text' })).toBe('plain text');
    expect(messageSummary({ body: '', file: { mime: 'image/png', name: 'a.png', width: 4 } })).toBe('📷 Photo');
    expect(messageSummary({ body: 'caption', file: { mime: 'image/jpeg', name: 'a.jpg', width: 4 } })).toBe('📷 Photo caption');
    expect(messageSummary({ body: '  ', file: { mime: 'audio/ogg', name: 'v.ogg' } })).toBe('🎤 Voice message');
    expect(messageSummary({ body: '', file: { mime: 'application/pdf', name: 'Minutes.pdf' } })).toBe('📄 Minutes.pdf');
  });

  it('never shows active or unknown content as a photo', () => {
    expect(fileKind({ mime: 'image/svg+xml', width: 4 })).toBe('document');
    expect(fileKind({ mime: '' })).toBe('document');
    expect(messageSummary({ body: 'x', file: { mime: '', name: 'unknown' } })).toBe('📄 unknown x');
  });
});

describe('an image sent as a document', () => {
  it('has no dimensions and is a document', () => {
    expect(fileKind({ mime: 'image/jpeg' })).toBe('document');
    expect(messageSummary({ body: '', file: { mime: 'image/jpeg', name: 'scan.jpg' } })).toBe('📄 scan.jpg');
  });
});
