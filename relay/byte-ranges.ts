// Byte ranges of `Range: bytes=…` requests (RFC 9110 14.1.2, 13.1.5), for
// the two places that serve files by range: the update feed
// (update-feed.ts, many ranges for differential downloads) and file
// downloads (files/http-files.ts, one range).
import type { IncomingMessage } from 'node:http';

/** Inclusive, as in Content-Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The ranges a request asks for, clamped to the file. 'whole' when the
 * request has no `Range`, its `If-Range` names another version than `etag`,
 * or the header is not one we honour (another unit, a syntax error, more than
 * `maxRanges`, or overlapping ranges that would send more than the file): the
 * server may then ignore it and send the file. 'unsatisfiable' when it is
 * valid but no range overlaps the file.
 */
export function requestedRanges(
  request: IncomingMessage,
  size: number,
  etag: string,
  maxRanges: number,
): ByteRange[] | 'whole' | 'unsatisfiable' {
  const header = request.headers.range;
  const ifRange = request.headers['if-range'];
  // If-Range: the ranges only apply to the version the client started with.
  if (header === undefined || (ifRange !== undefined && ifRange !== etag)) return 'whole';
  return parseRanges(header, size, maxRanges);
}

function parseRanges(header: string, size: number, maxRanges: number): ByteRange[] | 'whole' | 'unsatisfiable' {
  const match = /^bytes=(.+)$/i.exec(header.trim());
  if (!match) return 'whole';
  const specs = (match[1] as string).split(',').map((spec) => spec.trim());
  if (specs.length > maxRanges) return 'whole';
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const parts = /^(\d*)-(\d*)$/.exec(spec);
    if (!parts || (parts[1] === '' && parts[2] === '')) return 'whole';
    const [, first = '', last = ''] = parts;
    if (first === '') {
      // A suffix: the last N bytes.
      const suffix = Number(last);
      if (suffix > 0 && size > 0) ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(first);
    const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return 'whole';
    if (start < size) ranges.push({ start, end });
  }
  if (ranges.length === 0) return 'unsatisfiable';
  const total = ranges.reduce((sum, range) => sum + range.end - range.start + 1, 0);
  return total > size ? 'whole' : ranges;
}
