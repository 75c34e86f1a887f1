// Which WebSocket upgrade requests are refused, and how: refusals are plain
// HTTP answers written on the raw socket, before the `ws` library is
// involved (docs/protocol.md, "WebSocket upgrade").
//
// Origins: a request without `Origin` (the desktop app, any client that is
// not a browser) is always allowed; a browser's is checked against the
// origin policy. Its default, when the relay serves the web client, is "the
// relay's own origin": the Origin's host must be the host the request was
// sent to (its Host header, or behind a trusted proxy the last
// X-Forwarded-Host entry when the proxy sets one). That is what the web
// client served here sends, behind a proxy too, without the operator
// having to name the public origin; a page on another site cannot make a
// browser send a Host other than its own site's, so it is refused.
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUBPROTOCOL, WS_PATH } from '../src/shared/protocol/index.ts';
import { lastEntry, requestPath } from './request-path.ts';

export interface UpgradeRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export type OriginPolicy =
  | { kind: 'any' }
  /** The Origin's host is the request's own host (see above). */
  | { kind: 'same-host'; trustProxy: boolean }
  | { kind: 'listed'; origins: readonly string[] };

/** The policy of the configured `allowedOrigins` (config.ts). */
export function originPolicy(allowedOrigins: readonly string[], servesWebClient: boolean, trustProxy: boolean): OriginPolicy {
  if (allowedOrigins.length === 1 && allowedOrigins[0] === '*') return { kind: 'any' };
  if (allowedOrigins.length > 0) return { kind: 'listed', origins: allowedOrigins };
  return servesWebClient ? { kind: 'same-host', trustProxy } : { kind: 'any' };
}

export function refusalOf(
  request: IncomingMessage,
  options: { origins: OriginPolicy; shuttingDown: boolean },
): UpgradeRefusal | undefined {
  const path = requestPath(request.url);
  if (path === undefined) return { status: 400, message: 'bad request target' };
  if (path !== WS_PATH) return { status: 404, message: 'not found' };
  if (options.shuttingDown) return { status: 503, message: 'relay shutting down' };
  const origin = request.headers.origin;
  if (origin !== undefined && !originAllowed(origin, request, options.origins)) {
    return { status: 403, message: 'origin not allowed' };
  }
  const offered = offeredSubprotocols(request);
  if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
    return { status: 400, message: `subprotocol ${SUBPROTOCOL} required` };
  }
  return undefined;
}

function originAllowed(origin: string, request: IncomingMessage, policy: OriginPolicy): boolean {
  switch (policy.kind) {
    case 'any':
      return true;
    case 'listed':
      return policy.origins.includes(origin);
    case 'same-host': {
      const forwarded = policy.trustProxy ? lastEntry(request.headers['x-forwarded-host']) : undefined;
      const host = forwarded ?? request.headers.host;
      if (!host) return false;
      try {
        const from = new URL(origin);
        // Parsed with the Origin's scheme, so that a default port written out
        // in Host (`:443`) compares equal to none.
        return from.host === new URL(`${from.protocol}//${host}`).host;
      } catch {
        return false;
      }
    }
  }
}

function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol.length > 0);
}

export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  const body = `${refusal.message}\n`;
  socket.end(
    [
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}`,
      ...Object.entries(refusal.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
