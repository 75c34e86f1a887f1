// Relay addresses. A relay is named by its HTTP base URL (what the user types
// in the desktop app, or the web client's own origin); its API and WebSocket
// endpoint hang below it, so a relay behind a reverse proxy at a path prefix
// works too.
import { WS_PATH } from '../protocol/index.ts';

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
    throw new RangeError('The relay URL must start with http:// or https://');
  }
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** The WebSocket endpoint of a normalised relay URL. */
export function webSocketUrl(relayUrl: string): string {
  return relayUrl.replace(/^http/, 'ws') + WS_PATH;
}
