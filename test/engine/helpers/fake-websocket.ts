// A scripted WHATWG WebSocket for unit tests of the connection: the test
// plays the relay (accept, send frames, close, drop) and reads what the client
// sent. Events are dispatched like a browser's, so reconnecting-websocket
// drives it exactly as it drives a real one.
import type { ClientFrame, RelayFrame } from '../../../src/shared/protocol/index.ts';

export interface FakeWebSocketKit {
  WebSocket: typeof globalThis.WebSocket;
  /** Every socket constructed, in order. */
  sockets: FakeWebSocket[];
  /** The newest socket. */
  latest(): FakeWebSocket;
}

export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  readonly protocols: string | string[] | undefined;
  /** Date.now() when constructed (fake clock under fake timers). */
  readonly createdAt = Date.now();
  readyState = FakeWebSocket.CONNECTING;
  binaryType = 'blob';
  bufferedAmount = 0;
  readonly sent: string[] = [];

  constructor(url: string, protocols?: string | string[]) {
    super();
    this.url = url;
    this.protocols = protocols;
  }

  /** Frames the client sent, parsed. */
  get frames(): ClientFrame[] {
    return this.sent.map((text) => JSON.parse(text) as ClientFrame);
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('InvalidStateError: the socket is not open');
    this.sent.push(data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= FakeWebSocket.CLOSING) return;
    this.readyState = FakeWebSocket.CLOSING;
    queueMicrotask(() => this.finishClose(code, reason));
  }

  // ---- the relay's side ----

  accept(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  deliver(frame: RelayFrame | Record<string, unknown>): void {
    this.deliverText(JSON.stringify(frame));
  }

  deliverText(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }

  /** The relay starts a close handshake: the socket is closing, and the close
   * event comes later (finishClose). */
  beginServerClose(): void {
    this.readyState = FakeWebSocket.CLOSING;
  }

  /** A clean close by the relay with a code of its choosing. */
  serverClose(code: number, reason = ''): void {
    this.finishClose(code, reason);
  }

  /** The connection dies or never comes up: what a browser reports then is an
   * `error` followed by an unclean close 1006. */
  fail(): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.dispatchEvent(new Event('error'));
    this.dispatchEvent(Object.assign(new Event('close'), { code: 1006, reason: '', wasClean: false }));
  }

  finishClose(code: number, reason: string): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean: true }));
  }
}

/** A WebSocket class of its own per test, recording its sockets. */
export function fakeWebSocketKit(): FakeWebSocketKit {
  const sockets: FakeWebSocket[] = [];
  class RecordedFakeWebSocket extends FakeWebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  return {
    WebSocket: RecordedFakeWebSocket as unknown as typeof globalThis.WebSocket,
    sockets,
    latest: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}
