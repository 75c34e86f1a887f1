// The relay: one HTTP (or, with --tls-cert, HTTPS) server on one port for the
// API, the web client and the WebSocket endpoint (`ws` in noServer mode, so
// that upgrades are checked here first), wired to the store, fan-out,
// presence and group commit. Also owns the WebSocket heartbeat, the sweep for
// tokens revoked by operator commands, and the graceful shutdown.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES, MAX_FRAME_BYTES, SUBPROTOCOL } from '../src/shared/protocol/index.ts';
import type { RelayConfig } from './config.ts';
import type { RelayContext } from './context.ts';
import { receiveFrame } from './dispatch.ts';
import { type Fanout, InProcessFanout } from './fanout.ts';
import { GroupCommit } from './group-commit.ts';
import { sendJudge } from './handlers/send.ts';
import { typingRelay } from './handlers/typing.ts';
import { HashSlots } from './hash-slots.ts';
import { clientAddress, createRequestHandler } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { RelayMetrics } from './metrics.ts';
import { Presence } from './presence.ts';
import { createRateLimits } from './rate-limit.ts';
import { RevokedTokenSweep } from './revoked-tokens.ts';
import { Session } from './session.ts';
import { SessionRegistry } from './sessions.ts';
import { databaseFileIn, openSqliteStore } from './store/sqlite.ts';
import type { RelayStore } from './store/types.ts';
import { readTlsCredentials, type TlsCredentials } from './tls.ts';
import { TypingCoalescer } from './typing-coalescer.ts';
import { refusalOf, refuseUpgrade } from './upgrade.ts';

export interface RelayOptions {
  config: RelayConfig;
  log?: Logger;
  /** Defaults to SQLite at `<dataDir>/relay.db`. */
  store?: RelayStore;
  /** Defaults to in-process fan-out. */
  fanout?: Fanout;
}

export class Relay {
  readonly #ctx: RelayContext;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  /** Every open socket, authenticated or not. */
  readonly #open = new Set<Session>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #revokedTokenSweep: RevokedTokenSweep;
  readonly #scheme: 'http' | 'https';
  #shutdown: Promise<void> | undefined;

  private constructor(ctx: RelayContext, tls: TlsCredentials | undefined) {
    this.#ctx = ctx;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      // Refusals of other subprotocols happen before (upgrade.ts).
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    const { passwordHashConcurrency, passwordHashQueue, passwordHashWaitMs } = ctx.config.limits;
    const handleRequest = createRequestHandler({
      ...ctx,
      hashSlots: new HashSlots(passwordHashConcurrency, passwordHashQueue, passwordHashWaitMs),
      isShuttingDown: () => this.#shutdown !== undefined,
    });
    // Node's defaults let a client that trickles a request hold a connection
    // for five minutes; the API's requests are small, so a short bound costs
    // nothing. Node checks the bound on a timer, hence the interval. (An
    // upgraded WebSocket is no longer an HTTP request.)
    const requestTimeout = ctx.config.limits.httpRequestTimeoutMs;
    const timeouts = {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(5_000, Math.ceil(requestTimeout / 2)),
    };
    this.#http = tls
      ? createHttpsServer({ ...tls, ...timeouts }, handleRequest)
      : createServer(timeouts, handleRequest);
    this.#scheme = tls ? 'https' : 'http';
    this.#http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head));
    this.#heartbeat = setInterval(() => {
      for (const session of this.#open) session.heartbeat();
    }, ctx.config.limits.pingIntervalMs);
    this.#revokedTokenSweep = new RevokedTokenSweep(
      ctx.store,
      () => this.#open,
      ctx.config.limits.tokenRecheckIntervalMs,
      ctx.log.child({ module: 'revoked-tokens' }),
    );
  }

  /**
   * Reads the TLS files if configured (a ConfigError when they are unusable),
   * opens the store and starts listening on the configured host and port.
   */
  static async start(options: RelayOptions): Promise<Relay> {
    const { config } = options;
    const tls = config.tls && readTlsCredentials(config.tls);
    const log = options.log ?? createLogger(config.logLevel);
    const store = options.store ?? openSqliteStore(databaseFileIn(config.dataDir));
    const fanout = options.fanout ?? new InProcessFanout();
    const metrics = new RelayMetrics();
    const rateLimits = createRateLimits(config.limits, config.rateLimits);
    const presence = new Presence(store, fanout, config.limits.presenceGraceMs, log.child({ module: 'presence' }));
    const sessions = new SessionRegistry(fanout, rateLimits.sockets, {
      firstSession: (userId) => presence.userConnected(userId),
      lastSession: (userId) => presence.userDisconnected(userId),
    });
    const groupCommit = new GroupCommit(
      store,
      sendJudge(rateLimits),
      config.limits.groupCommitMaxSends,
      metrics,
      log.child({ module: 'group-commit' }),
    );
    // Coalescing typing is a rate limit too: off with them (load tests).
    const typing = new TypingCoalescer(
      config.rateLimits ? config.limits.typingIntervalMs : 0,
      typingRelay({ store, fanout, log: log.child({ module: 'typing' }) }),
    );
    const relay = new Relay(
      { config, store, fanout, sessions, presence, groupCommit, rateLimits, typing, metrics, log },
      tls,
    );
    try {
      await relay.#listen();
    } catch (error) {
      await relay.shutdown();
      throw error;
    }
    return relay;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** http(s)://HOST:PORT, with the real port when the configured one was 0. */
  get url(): string {
    const host = this.#ctx.config.host;
    return `${this.#scheme}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /**
   * Graceful shutdown: from the first moment /healthz answers 503 (so that a
   * load balancer stops routing here) and new upgrades and API calls are
   * refused; every socket is closed with 1012, sends already received are
   * committed, lastSeen is recorded, then the port and the store close.
   * Safe to call more than once.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  async #stop(): Promise<void> {
    const { log, groupCommit, presence, fanout, store, typing } = this.#ctx;
    log.info({ sockets: this.#open.size }, 'shutting down');
    clearInterval(this.#heartbeat);
    typing.stop();
    await this.#revokedTokenSweep.stop();
    const sessions = [...this.#open];
    for (const session of sessions) session.close(CLOSE_CODES.relayRestarting, 'relay restarting');
    await groupCommit.drain();
    // Each close completes, or is cut short by the close grace (Session.close).
    await Promise.all(sessions.map((session) => session.whenClosed()));
    await presence.stop();
    if (this.#http.listening) {
      const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
      this.#http.closeAllConnections();
      await closed;
    }
    await fanout.close();
    await store.close();
    log.info('shut down');
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#ctx.config.port, this.#ctx.config.host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = refusalOf(request, {
      allowedOrigins: this.#ctx.config.allowedOrigins,
      shuttingDown: this.#shutdown !== undefined,
    });
    if (refusal) {
      // Node hands the socket over without an error listener: a client that
      // resets it now must not crash the process.
      socket.on('error', () => socket.destroy());
      this.#ctx.metrics.httpRequests.inc({ route: 'ws_upgrade', status: String(refusal.status) });
      refuseUpgrade(socket, refusal);
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const { metrics, log, sessions } = this.#ctx;
      const session = new Session(ws, clientAddress(request, this.#ctx.config.trustProxy), {
        limits: this.#ctx.config.limits,
        metrics,
        log,
      });
      this.#open.add(session);
      metrics.connections.inc();
      metrics.httpRequests.inc({ route: 'ws_upgrade', status: '101' });
      ws.on('message', (data, isBinary) => receiveFrame(this.#ctx, session, data, isBinary));
      // Protocol errors (too large, bad UTF-8) make `ws` close the socket by itself.
      ws.on('error', (error) => log.info({ session: session.id, err: error }, 'socket error'));
      ws.on('close', (code) => {
        this.#open.delete(session);
        metrics.connections.dec();
        metrics.closes.inc({ code: String(code) });
        if (sessions.remove(session)) metrics.sessions.dec();
        log.debug({ session: session.id, user: session.userId, code }, 'socket closed');
      });
    });
  }
}
