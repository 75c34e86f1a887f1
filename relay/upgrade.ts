// Which WebSocket upgrade requests are refused, and how: refusals are plain
// HTTP answers written on the raw socket, before the `ws` library is
// involved (PROTOCOL.md, "WebSocket").
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUBPROTOCOL, WS_PATH } from '../src/shared/protocol/index.ts';
import { requestPath } from './request-path.ts';

export interface UpgradeRefusal {
  status: number;
  message: string;
}

export function refusalOf(
  request: IncomingMessage,
  options: { allowedOrigins: readonly string[]; shuttingDown: boolean },
): UpgradeRefusal | undefined {
  const path = requestPath(request.url);
  if (path === undefined) return { status: 400, message: 'bad request target' };
  if (path !== WS_PATH) return { status: 404, message: 'not found' };
  if (options.shuttingDown) return { status: 503, message: 'relay shutting down' };
  // Clients that are not browsers send no Origin; a browser on another site does.
  const origin = request.headers.origin;
  if (origin !== undefined && options.allowedOrigins.length > 0 && !options.allowedOrigins.includes(origin)) {
    return { status: 403, message: 'origin not allowed' };
  }
  const offered = offeredSubprotocols(request);
  if (offered.length > 0 && !offered.includes(SUBPROTOCOL)) {
    return { status: 400, message: `subprotocol ${SUBPROTOCOL} required` };
  }
  return undefined;
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
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
