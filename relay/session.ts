// One connected WebSocket: its state from upgrade to close, the hello
// timeout, liveness, the bad-frame counter, ordered handling of its frames
// with backpressure on input, and every way of writing to it (the
// slow-consumer rule for live frames, pacing during the session start,
// holding live frames back until `synced`).
//
// Live frames are coalesced per socket: the first one written in an
// event-loop turn corks the socket, and it is uncorked once the turn's work is
// done (setImmediate), so that the acks and deliveries one group commit
// produces for a socket leave in one write (writev) instead of one system
// call each. Once a socket's unwritten output reaches COALESCE_BYTES it is
// uncorked at once: the kernel takes what it can, and the slow-consumer rule,
// which counts corked bytes too, judges a real backlog rather than one turn's
// output (the acks of a burst of large sends).
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type ErrorCode, type RelayFrame, type User } from '../src/shared/protocol/index.ts';
import type { FanoutEvent } from './fanout.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './log.ts';
import type { MessageOrder } from './message-order.ts';
import type { RelayMetrics } from './metrics.ts';
import { OrderedTasks } from './ordered-tasks.ts';
import { SendOrder } from './send-order.ts';

/**
 * awaiting_hello → authenticating (hello received) → syncing (token accepted;
 * welcome and batches going out) → live (after `synced`) → closed.
 */
/** Unwritten output at which a corked socket is flushed before the turn ends. */
const COALESCE_BYTES = 64 * 1024;

export type SessionState = 'awaiting_hello' | 'authenticating' | 'syncing' | 'live' | 'closed';

export interface SessionDeps {
  limits: Limits;
  metrics: RelayMetrics;
  log: Logger;
}

export class Session {
  readonly id = randomUUID();
  readonly remoteAddress: string;
  readonly #ws: WebSocket;
  /** The connection under #ws, corked while a turn's frames gather. */
  readonly #socket: Duplex;
  #corked = false;
  readonly #deps: SessionDeps;
  readonly #tasks = new OrderedTasks();
  /** Keeps this socket's sends of a conversation in order past a retryable refusal. */
  readonly sendOrder = new SendOrder();
  #state: SessionState = 'awaiting_hello';
  #user: User | undefined;
  #tokenHash: string | undefined;
  /** Live frames that arrived during the session start, sent after `synced`. */
  #held: Extract<FanoutEvent, { kind: 'frame' }>[] = [];
  /** Their size: bounded by `syncHeldBytes`, so a client that stalls its session start cannot grow the relay. */
  #heldBytes = 0;
  /** Orders live msg frames from several nodes (message-order.ts); only in a cluster. */
  #order: MessageOrder | undefined;
  #badFrameTimes: number[] = [];
  #queuedInputBytes = 0;
  #answeredPing = true;
  #helloTimer: NodeJS.Timeout | undefined;
  #terminateTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, socket: Duplex, remoteAddress: string, deps: SessionDeps) {
    this.#ws = ws;
    this.#socket = socket;
    this.remoteAddress = remoteAddress;
    this.#deps = deps;
    this.#helloTimer = setTimeout(() => {
      if (this.#state === 'awaiting_hello') this.close(CLOSE_CODES.noHelloInTime, 'no hello in time');
    }, deps.limits.helloTimeoutMs);
    ws.on('pong', () => {
      this.#answeredPing = true;
    });
    ws.on('close', () => this.#closed());
  }

  get state(): SessionState {
    return this.#state;
  }

  get isClosed(): boolean {
    return this.#state === 'closed';
  }

  /** The signed-in user; only valid from `syncing` on. */
  get user(): User {
    if (!this.#user) throw new Error('session has no user before hello');
    return this.#user;
  }

  get userId(): string | undefined {
    return this.#user?.id;
  }

  /** Hash of the token the session authenticated with; undefined before. */
  get tokenHash(): string | undefined {
    return this.#tokenHash;
  }

  helloReceived(): void {
    if (this.#state !== 'awaiting_hello') return;
    this.#state = 'authenticating';
    clearTimeout(this.#helloTimer);
    // Not kept for the life of the socket.
    this.#helloTimer = undefined;
  }

  authenticated(user: User, tokenHash: string): void {
    if (this.#state !== 'authenticating') return;
    this.#user = user;
    this.#tokenHash = tokenHash;
    this.#state = 'syncing';
  }

  // ---- input ----

  /**
   * Queues the handling of one received frame behind the earlier ones (see
   * OrderedTasks). While more than the high-water mark of input waits, the
   * socket stops reading, which pushes back on the client through TCP.
   */
  enqueue(bytes: number, task: () => Promise<void>, overlap: boolean): void {
    this.#queuedInputBytes += bytes;
    if (this.#queuedInputBytes > this.#deps.limits.inboundHighWaterBytes && !this.#ws.isPaused) this.#ws.pause();
    this.#tasks.push(async () => {
      try {
        if (!this.isClosed) await task();
      } finally {
        this.#queuedInputBytes -= bytes;
        if (this.#queuedInputBytes === 0 && this.#ws.isPaused) this.#ws.resume();
      }
    }, overlap);
  }

  /** Counts a `bad_frame`; true when that was one too many and the socket must close with 1008. */
  badFrame(now = Date.now()): boolean {
    const { badFramesPerWindow, badFrameWindowMs } = this.#deps.limits;
    this.#badFrameTimes = this.#badFrameTimes.filter((time) => time > now - badFrameWindowMs);
    this.#badFrameTimes.push(now);
    return this.#badFrameTimes.length > badFramesPerWindow;
  }

  // ---- output ----

  sendFrame(frame: RelayFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  sendError(code: ErrorCode, message: string, rid?: string, users?: string[]): void {
    this.#deps.metrics.frameErrors.inc({ code });
    this.sendFrame({ t: 'error', rid, code, message, users });
  }

  /** Sends a live frame; a client that does not keep up is closed with 1013. */
  sendText(text: string): void {
    if (this.isClosed) return;
    this.#cork();
    this.#ws.send(text);
    if (this.#socket.writableLength >= COALESCE_BYTES) this.#uncork();
    if (this.#ws.bufferedAmount > this.#deps.limits.slowConsumerBytes) {
      this.#deps.log.warn({ session: this.id, user: this.userId, buffered: this.#ws.bufferedAmount }, 'slow consumer');
      this.#deps.metrics.slowConsumers.inc();
      this.close(CLOSE_CODES.overloaded, 'too slow');
    }
  }

  /**
   * Sends a frame of the session start, then waits while the unsent output is
   * above the sync high-water mark, so that a long backlog flows at the
   * client's pace instead of tripping the slow-consumer rule.
   */
  async sendPaced(text: string): Promise<void> {
    if (this.isClosed) return;
    await new Promise<void>((resolve) => {
      // The callback runs once this frame has been handed to the OS (or the
      // socket failed); by then everything sent before it has gone too.
      this.#ws.send(text, () => resolve());
      if (this.#ws.bufferedAmount <= this.#deps.limits.syncHighWaterBytes) resolve();
    });
  }

  /** A fan-out event for this session's user. */
  deliver(event: FanoutEvent): void {
    if (event.kind === 'revoke') {
      if (event.tokenHash === this.#tokenHash) this.close(CLOSE_CODES.unauthorized, event.reason ?? 'token revoked');
      return;
    }
    if (this.#state === 'live' && this.#order) {
      this.#order.accept(event);
      return;
    }
    if (event.exceptSession === this.id) return;
    if (this.#state === 'syncing') this.#hold(event);
    else if (this.#state === 'live') this.sendText(event.text);
  }

  /**
   * Holds a live frame until `synced`. A typing state would be stale by then
   * and is dropped. A session holding more than the limit is a slow consumer
   * of another kind (a client that reads its backlog slowly, or not at all,
   * while its conversations are busy): closed with 1013, it catches up
   * through its cursors on the next connection.
   */
  #hold(event: Extract<FanoutEvent, { kind: 'frame' }>): void {
    if (event.ephemeral) return;
    this.#held.push(event);
    this.#heldBytes += Buffer.byteLength(event.text);
    if (this.#heldBytes <= this.#deps.limits.syncHeldBytes) return;
    this.#deps.log.warn({ session: this.id, user: this.userId, held: this.#heldBytes }, 'slow consumer during session start');
    this.#deps.metrics.slowConsumers.inc();
    this.close(CLOSE_CODES.overloaded, 'too slow');
  }

  /**
   * Ends the session start: sends `synced`, then the live frames held back
   * meanwhile, less the `msg` frames whose message a batch already carried.
   * With `order` (in a cluster), live msg frames go through it from now on.
   */
  synced(sentUpTo: ReadonlyMap<string, number>, order?: MessageOrder): void {
    if (this.#state !== 'syncing') return;
    this.#state = 'live';
    this.#order = order;
    this.sendFrame({ t: 'synced' });
    const held = this.#held;
    this.#forgetHeld();
    for (const event of held) {
      if (order) {
        order.accept(event);
        continue;
      }
      const message = event.message;
      if (message && message.seq <= (sentUpTo.get(message.conv) ?? 0)) continue;
      this.sendText(event.text);
    }
  }

  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    setImmediate(() => this.#uncork());
  }

  /** Each cork is undone once: here, early or at the end of its turn. */
  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  }

  /** Sends the msg frames the session missed while Redis was away (cluster only). */
  catchUp(): void {
    if (this.#state === 'live') this.#order?.catchUp();
  }

  // ---- liveness and closing ----

  /** Called every ping interval: terminates a socket that missed the previous ping, pings the others. */
  heartbeat(): void {
    if (!this.#answeredPing) {
      this.#deps.log.info({ session: this.id, user: this.userId }, 'no pong, terminating');
      this.#ws.terminate();
      return;
    }
    this.#answeredPing = false;
    this.#ws.ping();
  }

  /**
   * Starts the close handshake; a socket that does not complete it within the
   * close grace (a client that stopped reading) is terminated.
   */
  close(code: number, reason: string): void {
    if (this.isClosed) return;
    this.#state = 'closed';
    this.#forgetHeld();
    clearTimeout(this.#helloTimer);
    this.#deps.log.debug({ session: this.id, user: this.userId, code, reason }, 'closing socket');
    this.#ws.close(code, reason);
    this.#terminateTimer = setTimeout(() => this.#ws.terminate(), this.#deps.limits.closeGraceMs);
  }

  /** Resolves once the socket is fully closed. */
  whenClosed(): Promise<void> {
    if (this.#ws.readyState === this.#ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.#ws.once('close', () => resolve()));
  }

  #forgetHeld(): void {
    this.#held = [];
    this.#heldBytes = 0;
  }

  #closed(): void {
    this.#state = 'closed';
    this.#forgetHeld();
    clearTimeout(this.#helloTimer);
    clearTimeout(this.#terminateTimer);
  }
}
