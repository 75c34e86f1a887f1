// The nodes of the one relay an account uses (docs/engine.md, "Several relay
// nodes"): the URLs the user gave (or the web client's origin), all nodes of
// one cluster on one database, so the session token is good on each. One of
// them is current: the socket's, or the one its next attempt goes to. The
// connection moves on to the next one whenever its socket closes or fails to
// open; HTTP calls (files, photos, sign-out, password) go to the current node
// and, when the network fails, to each other node in turn, so a file moves
// with the chat to a surviving node without waiting for the socket.
import type { FetchFunction } from './auth-client.ts';
import { webSocketUrl } from './relay-url.ts';

export class RelayNodes {
  /** Normalised relay URLs (relay-url.ts), in the order they are tried. */
  readonly urls: readonly string[];
  private readonly fetchFunction: FetchFunction;
  private index = 0;

  constructor(urls: readonly string[], fetchFunction: FetchFunction) {
    if (urls.length === 0) throw new RangeError('A relay needs at least one URL');
    this.urls = urls;
    this.fetchFunction = fetchFunction;
  }

  /** The HTTP base URL of the node in use. */
  get current(): string {
    return this.urls[this.index]!;
  }

  get currentWebSocketUrl(): string {
    return webSocketUrl(this.current);
  }

  /** The socket to the current node closed or could not open: from now on
   * the next node is current (with one URL, the same one again). */
  moveOn(): void {
    this.index = (this.index + 1) % this.urls.length;
  }

  /**
   * fetch() of `target` on the current node, then on each other node in turn
   * while the request does not get an answer (fetch rejects: refused, reset,
   * timed out). Any HTTP answer, an error status included, is the answer:
   * the nodes share their data, so another would say the same. `target` is
   * a path below the relay URL, or a URL below one of the nodes (an upload
   * URL kept from an earlier attempt), which is moved onto each node tried;
   * any other URL is fetched as it is. `timeoutMs` bounds each node's try
   * (a timeout passed in `init.signal` would end them all at once); a
   * request its caller aborts through `init.signal` is not tried elsewhere.
   */
  async fetch(target: string, init: RequestInit = {}, timeoutMs?: number): Promise<Response> {
    const path = this.pathOf(target);
    // Called as a plain function: a browser's fetch throws when `this` is anything but the window.
    const fetchFunction = this.fetchFunction;
    const attempt = (url: string) => fetchFunction(url, { ...init, signal: withTimeout(init.signal, timeoutMs) });
    if (path === null) return attempt(target);
    const first = this.index;
    let failure: unknown;
    for (let tried = 0; tried < this.urls.length; tried++) {
      try {
        return await attempt(this.urls[(first + tried) % this.urls.length]! + path);
      } catch (error) {
        if (init.signal?.aborted) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /** The part of `target` below the relay URL: itself for a path, what
   * follows a node's URL for a URL below one; null for any other URL. */
  private pathOf(target: string): string | null {
    if (target.startsWith('/')) return target;
    for (const node of this.urls) {
      if (target.startsWith(`${node}/`)) return target.slice(node.length);
    }
    return null;
  }
}

/** The caller's signal, ended also after `timeoutMs` when given. */
function withTimeout(signal: AbortSignal | null | undefined, timeoutMs: number | undefined): AbortSignal | null | undefined {
  if (timeoutMs === undefined) return signal;
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
}
