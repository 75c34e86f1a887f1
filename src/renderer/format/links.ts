// Links in message text: web addresses, with or without their scheme
// ("example.com/x" becomes http://example.com/x), found by linkify-it. Only
// http(s) links are made: no mailto:, ftp: or anything a page could abuse.
import { LinkifyIt } from 'linkify-it';

export interface FoundLink {
  start: number;
  end: number;
  /** The address to open: always http: or https:. */
  url: string;
}

const linkify = new LinkifyIt().set({ fuzzyEmail: false, fuzzyLink: true });
for (const scheme of ['mailto:', 'ftp:', '//']) linkify.add(scheme, null);

function isWebAddress(url: string): boolean {
  const protocol = URL.parse(url)?.protocol;
  return protocol === 'http:' || protocol === 'https:';
}

export function findLinks(text: string): FoundLink[] {
  if (!linkify.test(text)) return [];
  return (linkify.match(text) ?? [])
    .filter((match) => isWebAddress(match.url))
    .map((match) => ({ start: match.index, end: match.lastIndex, url: match.url }));
}
