// Relay addresses. A relay is named by its HTTP base URL (what the user types
// in the desktop app, or the web client's own origin); its API and WebSocket
// endpoint hang below it, so a relay behind a reverse proxy at a path prefix
// works too. A relay run as a cluster (docs/scaling.md) may be named by
// several such URLs, one per node: a list, checked here as a whole.
import { WS_PATH } from '../protocol/index.ts';

/** More nodes than any cluster of this relay runs (docs/scaling.md projects
 * a handful for 100,000 people); a longer list is a mistake, not a cluster. */
export const MAX_RELAY_URLS = 16;

/** Checks and normalises a relay URL: http(s) (ws(s) is accepted and
 * mapped), no query or fragment, no trailing slash. Throws a RangeError with
 * a message fit for the sign-in screen. */
export function normalizeRelayUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new RangeError(`Not a valid relay URL: "${input}"`);
  }
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(`The relay URL must start with http:// or https:// (or ws://, wss://): "${input}"`);
  }
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** Checks and normalises the URLs of one relay (its nodes), in the order
 * given: at least one, at most MAX_RELAY_URLS, each valid, none twice (after
 * normalising, so `wss://a` and `https://a/` are the same node). Throws a
 * RangeError naming the first problem. */
export function normalizeRelayUrls(inputs: readonly string[]): string[] {
  if (inputs.length === 0) throw new RangeError('Enter the relay URL');
  if (inputs.length > MAX_RELAY_URLS) {
    throw new RangeError(`At most ${MAX_RELAY_URLS} relay URLs, not ${inputs.length}`);
  }
  const urls: string[] = [];
  for (const input of inputs) {
    const url = normalizeRelayUrl(input);
    if (urls.includes(url)) throw new RangeError(`The relay URL ${url} is listed twice`);
    urls.push(url);
  }
  return urls;
}

/** The WebSocket endpoint of a normalised relay URL. */
export function webSocketUrl(relayUrl: string): string {
  return relayUrl.replace(/^http/, 'ws') + WS_PATH;
}
