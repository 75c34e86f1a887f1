// The tus `Upload-Metadata` header: comma-separated `key base64value` pairs.
// The relay keeps two of them, `filename` and `filetype`; others are allowed
// and ignored, as tus intends. The header is bounded, the name is reduced to
// a plain file name (no directories, no control characters) of at most 255
// UTF-8 bytes, and a type that is not a well-formed media type becomes
// `application/octet-stream`: what a browser does with a file depends on its
// type at download (files/content-policy.ts), never on the declared one alone.
import { MAX_FILE_NAME_BYTES } from '../../src/shared/protocol/index.ts';

export const MAX_METADATA_BYTES = 4096;
export const UNKNOWN_TYPE = 'application/octet-stream';
const DEFAULT_NAME = 'file';

export interface UploadMetadata {
  name: string;
  mime: string;
}

export type MetadataResult = { ok: true; metadata: UploadMetadata } | { ok: false; message: string };

const KEY = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function parseUploadMetadata(header: string | undefined): MetadataResult {
  if (header === undefined || header.trim() === '') return { ok: true, metadata: { name: DEFAULT_NAME, mime: UNKNOWN_TYPE } };
  if (Buffer.byteLength(header) > MAX_METADATA_BYTES) {
    return { ok: false, message: `Upload-Metadata is larger than ${MAX_METADATA_BYTES} bytes` };
  }
  const values = new Map<string, string>();
  for (const pair of header.split(',')) {
    const [key = '', value = '', ...rest] = pair.trim().split(' ');
    if (!KEY.test(key) || rest.length > 0 || !BASE64.test(value) || values.has(key)) {
      return { ok: false, message: 'Upload-Metadata must be unique "key base64value" pairs separated by commas' };
    }
    values.set(key, value);
  }
  const name = decodeUtf8(values.get('filename'));
  const type = decodeUtf8(values.get('filetype'));
  if (name === null || type === null) return { ok: false, message: 'Upload-Metadata values must be base64 of UTF-8 text' };
  const plainName = plainFileName(name ?? '');
  if (Buffer.byteLength(plainName) > MAX_FILE_NAME_BYTES) {
    return { ok: false, message: `filename is longer than ${MAX_FILE_NAME_BYTES} bytes` };
  }
  return { ok: true, metadata: { name: plainName || DEFAULT_NAME, mime: mediaType(type ?? '') } };
}

/** Undefined when absent, null when not UTF-8. */
function decodeUtf8(base64: string | undefined): string | undefined | null {
  if (base64 === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return null;
  }
}

/** The last path segment, without control characters, NFC. */
function plainFileName(name: string): string {
  const base = name.split(/[/\\]/).at(-1) ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').normalize('NFC').trim();
  return clean === '.' || clean === '..' ? '' : clean;
}

/** The type without parameters, lowercase; UNKNOWN_TYPE when it is not type/subtype. */
function mediaType(declared: string): string {
  const essence = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  return MEDIA_TYPE.test(essence) ? essence : UNKNOWN_TYPE;
}
