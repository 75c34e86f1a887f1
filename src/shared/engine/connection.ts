// The one WebSocket to the relay: reconnecting-websocket 4.4.0 over the
// WebSocket class the host passes in, with every known weakness of that
// library neutralised here (docs/engine.md, "The connection"):
//
// 1. Its send queue would replay frames written while offline ahead of
//    `hello` on the next socket: maxEnqueuedMessages is 0 and send() says
//    whether the frame went out; the outbox, not the socket, remembers.
// 2. Its delay is the same curve for every client (and its random minimum is
//    drawn once per process): its own delay is zero and the URL provider waits
//    a full-jitter backoff of its own before every attempt.
// 3. It reconnects after any close, 4001 and 4002 included: those stop the
//    connection for good.
// 4. After maxRetries its reconnect() can never connect again: retries stay
//    infinite.
// 5. It reports errors, timeouts and dropped connections as a clean close 1000:
//    no decision here rests on 1000 meaning "closed on purpose".
//
// Each attempt goes to the relay node current in relay-nodes.ts, and every
// close moves it on to the next one: with several URLs, a node that dies is
// left for the next at the first reconnect.
//
// It also watches liveness, which no WebSocket does by itself: an app-level
// `ping` every 25 s and a reconnect when no `pong` comes within 10 s (a
// half-open connection after sleep or a network change never closes).
import * as reconnectingWebSocketModule from 'reconnecting-websocket';
import {
  ACCOUNT_DELETED,
  type ClientFrame,
  CLOSE_CODES,
  FINAL_CLOSE_CODES,
  parseRelayFrame,
  PASSWORD_CHANGED,
  type RelayFrame,
  SIGNED_OUT_ELSEWHERE,
  SUBPROTOCOL,
} from '../protocol/index.ts';
import { type BackoffPolicy, fullJitterDelay } from './backoff.ts';
import type { Logger } from './log.ts';
import type { RelayNodes } from './relay-nodes.ts';

/** A WHATWG WebSocket class: Electron's net.WebSocket, the browser's, Node's. */
export type WebSocketClass = new (url: string, protocols?: string | string[]) => WebSocket;

/** The part of reconnecting-websocket's instance this module uses. */
interface ReconnectingSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  reconnect(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

interface ReconnectingSocketOptions {
  WebSocket: WebSocketClass;
  minReconnectionDelay: number;
  maxReconnectionDelay: number;
  connectionTimeout: number;
  maxRetries: number;
  maxEnqueuedMessages: number;
}

type ReconnectingSocketClass = new (
  url: () => Promise<string>,
  protocols: string[],
  options: ReconnectingSocketOptions,
) => ReconnectingSocket;

// The package is CommonJS with an ES `export default` in its types. Node hands
// an ES importer module.exports (the class) as the default export, and
// bundlers hand it the ESM build's default (the class too), while TypeScript
// under "nodenext" types the default as the whole module. So: one cast here.
const ReconnectingWebSocket = (reconnectingWebSocketModule as unknown as { default: ReconnectingSocketClass }).default;

export type ConnectionPhase =
  /** Waiting for the next attempt (see nextRetryAt). */
  | 'waiting'
  /** An attempt is under way: the socket is being opened. */
  | 'connecting'
  | 'open'
  /** Closed for good: signed out, 4001, 4002 or disposed. */
  | 'stopped';

/** The socket's side of the connection; the session turns it into the
 * API's ConnectionStatus. */
export interface SocketState {
  phase: ConnectionPhase;
  /** When the next attempt is due (ms since epoch), while waiting. */
  nextRetryAt: number | null;
  lastCloseReason: string | null;
}

export interface ConnectionHandlers {
  /** The socket is open: the place to send `hello`. */
  onOpen(): void;
  /** A valid relay frame (pongs are the connection's own business). */
  onFrame(frame: RelayFrame): void;
  /** The socket closed; `final` when its code forbids reconnecting. */
  onClose(code: number, final: boolean): void;
  /** The phase, the next retry time or the last close reason changed. */
  onStateChange(): void;
}

export interface ConnectionOptions {
  /** The relay's nodes: each attempt goes to the current one, and every
   * close moves on to the next (relay-nodes.ts). */
  nodes: Pick<RelayNodes, 'currentWebSocketUrl' | 'moveOn'>;
  WebSocket: WebSocketClass;
  backoff: BackoffPolicy;
  connectTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  random: () => number;
  log: Logger;
}

export class Connection {
  private readonly options: ConnectionOptions;
  private readonly handlers: ConnectionHandlers;
  private socket: ReconnectingSocket | null = null;
  private phase: ConnectionPhase = 'waiting';
  private nextRetryAt: number | null = null;
  private lastCloseReason: string | null = null;
  /** Closes since the last healthy session; picks the backoff window. */
  private failures = 0;
  private openedThisAttempt = false;
  private skipNextDelay = false;
  /** Set when this module closes the socket itself, to say why. */
  private closingBecause: string | null = null;
  /** Ends the current backoff wait early. */
  private finishRetryWait: (() => void) | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongDeadline: ReturnType<typeof setTimeout> | null = null;

  constructor(options: ConnectionOptions, handlers: ConnectionHandlers) {
    this.options = options;
    this.handlers = handlers;
  }

  get state(): SocketState {
    return { phase: this.phase, nextRetryAt: this.nextRetryAt, lastCloseReason: this.lastCloseReason };
  }

  start(): void {
    if (this.socket) return;
    this.phase = 'connecting';
    const socket = new ReconnectingWebSocket(() => this.nextUrl(), [SUBPROTOCOL], {
      WebSocket: this.options.WebSocket,
      maxEnqueuedMessages: 0,
      maxRetries: Infinity,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: this.options.connectTimeoutMs,
    });
    socket.addEventListener('open', () => this.opened());
    socket.addEventListener('message', (event) => this.received(event.data));
    socket.addEventListener('close', (event) => this.closed(event.code, event.reason));
    this.socket = socket;
  }

  /** Hands a frame to the open socket; false when there is none. A frame
   * handed over may still be lost, like any frame in flight, when the socket
   * is already closing: the library drops it (its queue is off) rather than
   * replaying it on the next socket, and the caller's own bookkeeping (the
   * outbox resends everything unacknowledged) takes over. */
  send(frame: ClientFrame): boolean {
    if (this.phase !== 'open' || !this.socket) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** The session on this socket is established (`synced`): the next failure
   * starts the backoff from the beginning. */
  markHealthy(): void {
    this.failures = 0;
  }

  /** Cuts the current backoff wait short. */
  retryNow(): void {
    if (this.phase !== 'waiting') return;
    if (this.finishRetryWait) this.finishRetryWait();
    // Between a close and the library asking for the next URL there is no
    // wait to cut yet: make sure there will be none.
    else this.skipNextDelay = true;
  }

  /** The host saw the machine resume or the network come back: the current
   * socket, if any, may be dead without knowing it, so connect afresh now. */
  wake(): void {
    if (this.phase === 'waiting') this.retryNow();
    else if (this.phase === 'open' || this.phase === 'connecting') {
      this.skipNextDelay = true;
      this.forceReconnect('Reconnecting after the system resumed or the network changed');
    }
  }

  /** Closes for good; no event follows. */
  stop(): void {
    const socket = this.socket;
    if (!socket) return;
    this.shutDown(socket);
    this.handlers.onStateChange();
  }

  private opened(): void {
    if (!this.socket) return;
    this.openedThisAttempt = true;
    // Whatever wake() meant for this attempt is done with.
    this.closingBecause = null;
    this.skipNextDelay = false;
    this.phase = 'open';
    this.nextRetryAt = null;
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
    this.handlers.onStateChange();
    this.handlers.onOpen();
  }

  private received(data: unknown): void {
    // A closing socket may still deliver what was already on its way.
    if (!this.socket) return;
    if (typeof data !== 'string') {
      this.options.log('warn', 'Dropped a binary frame from the relay');
      return;
    }
    const parsed = parseRelayFrame(data);
    if (!parsed.ok) {
      this.options.log('warn', `Dropped a bad frame from the relay: ${parsed.message}`);
      return;
    }
    if (parsed.frame.t === 'pong') this.clearPongDeadline();
    else this.handlers.onFrame(parsed.frame);
  }

  private closed(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.stopPinging();
    const final = FINAL_CLOSE_CODES.has(code);
    this.lastCloseReason = this.closingBecause ?? describeClose(code, reason, this.openedThisAttempt);
    this.closingBecause = null;
    this.openedThisAttempt = false;
    // Whichever way it closed, this node is the suspect: a node that died,
    // restarts or is drained. The next attempt goes to the next node (all
    // serve the same data), and so do HTTP calls from now on.
    this.options.nodes.moveOn();
    this.failures++;
    if (final) {
      // The library has already scheduled its next attempt; close() makes it
      // drop that attempt instead of opening a socket.
      this.shutDown(socket);
    } else {
      this.phase = 'waiting';
    }
    this.handlers.onStateChange();
    this.handlers.onClose(code, final);
  }

  /** The library's URL provider, called before every attempt: the backoff
   * wait happens here. It never rejects: a rejection would leave the
   * library's connect lock taken for good. */
  private async nextUrl(): Promise<string> {
    const delay =
      this.skipNextDelay || this.failures === 0
        ? 0
        : fullJitterDelay(this.failures, this.options.backoff, this.options.random);
    this.skipNextDelay = false;
    if (delay > 0 && this.socket) await this.waitForRetry(delay);
    if (this.socket) {
      this.phase = 'connecting';
      this.nextRetryAt = null;
      this.handlers.onStateChange();
    }
    // Read after the wait: the node to try is the current one when trying.
    return this.options.nodes.currentWebSocketUrl;
  }

  private waitForRetry(delay: number): Promise<void> {
    this.phase = 'waiting';
    this.nextRetryAt = Date.now() + delay;
    this.handlers.onStateChange();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.finishRetryWait = null;
        resolve();
      };
      const timer = setTimeout(finish, delay);
      this.finishRetryWait = finish;
    });
  }

  private ping(): void {
    if (this.pongDeadline || !this.send({ t: 'ping' })) return;
    this.pongDeadline = setTimeout(() => {
      this.pongDeadline = null;
      this.forceReconnect(`No answer from the relay within ${Math.round(this.options.pongTimeoutMs / 1000)} s`);
    }, this.options.pongTimeoutMs);
  }

  private clearPongDeadline(): void {
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    this.pongDeadline = null;
  }

  private stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.clearPongDeadline();
  }

  private forceReconnect(reason: string): void {
    this.closingBecause = reason;
    // The library closes the socket, reports the close (through closed()) and
    // starts the next attempt.
    this.socket?.reconnect(CLOSE_CODES.normal, 'reconnecting');
  }

  private shutDown(socket: ReconnectingSocket): void {
    this.socket = null;
    this.stopPinging();
    this.finishRetryWait?.();
    this.phase = 'stopped';
    this.nextRetryAt = null;
    socket.close(CLOSE_CODES.normal, 'stopped');
  }
}

/** What the sign-in screen says once the user's account was deleted (here or on another device). */
export const ACCOUNT_DELETED_TEXT = 'Your account was deleted.';

/** A reason for the status line. Code 1000 says nothing: the library reports
 * errors, connect timeouts and dropped connections as a clean 1000 too. */
function describeClose(code: number, reason: string, opened: boolean): string {
  switch (code) {
    case CLOSE_CODES.unauthorized:
      // The relay's reason for a sign-in left unused too long (docs/protocol.md).
      if (reason === 'session expired') return 'Your session expired; sign in again.';
      if (reason === SIGNED_OUT_ELSEWHERE) return 'This device was signed out from another device. Sign in again.';
      if (reason === PASSWORD_CHANGED) return 'Your password was changed on another device. Sign in again.';
      if (reason === ACCOUNT_DELETED) return ACCOUNT_DELETED_TEXT;
      return 'Signed out: the relay no longer accepts this session. Sign in again.';
    case CLOSE_CODES.unsupportedVersion:
      return 'This version of Duplex is too old for the relay: update needed';
    case CLOSE_CODES.relayRestarting:
      return 'The relay is restarting';
    case CLOSE_CODES.overloaded:
      return 'The relay is overloaded';
    case CLOSE_CODES.binaryFrame:
    case CLOSE_CODES.tooManyBadFrames:
    case CLOSE_CODES.frameTooLarge:
      return `The relay closed the connection (code ${code})`;
    default:
      if (reason === 'timeout') return 'Timed out connecting to the relay';
      return opened ? 'Connection lost' : 'Could not reach the relay';
  }
}
