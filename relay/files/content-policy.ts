// How a file is served (PROTOCOL.md, "Files"): inline only for image, audio
// and video types that browsers render as media and never execute; every
// other type (HTML, SVG, XML, JavaScript, PDF, text, unknown…) is an
// attachment, whatever the uploader declared. Every file response also
// carries `Content-Security-Policy: sandbox` and `nosniff` (http-files.ts),
// so even a file opened directly runs no script and is not re-typed.

const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/aac',
  'audio/mp4',
  'audio/flac',
  'video/mp4',
  'video/webm',
  'video/ogg',
]);

export function isInlineType(mime: string): boolean {
  return INLINE_TYPES.has(mime);
}

/** The Content-Disposition of a file: the name in RFC 8187 form, and an ASCII fallback. */
export function contentDisposition(mime: string, name: string): string {
  const kind = isInlineType(mime) ? 'inline' : 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(name)}`;
}

function encodeRfc8187(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
