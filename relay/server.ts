// The relay: one HTTP (or, with --tls-cert, HTTPS) server on one port for the
// API, the web client and the WebSocket endpoint (`ws` in noServer mode, so
// that upgrades are checked here first), wired to the store, fan-out,
// presence and group commit. Also owns the WebSocket heartbeat, the sweep for
// tokens revoked by operator commands, the cap on sockets waiting for their
// hello, the metrics listener (--metrics-port) and the graceful shutdown.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CLOSE_CODES, MAX_FRAME_BYTES, SUBPROTOCOL } from '../src/shared/protocol/index.ts';
import type { RelayConfig } from './config.ts';
import type { RelayContext } from './context.ts';
import { DependencyHealth } from './dependency-health.ts';
import { receiveFrame } from './dispatch.ts';
import { type Fanout, InProcessFanout } from './fanout.ts';
import type { FileService } from './files/service.ts';
import { createFileService } from './files/setup.ts';
import { GroupCommit } from './group-commit.ts';
import { judgeSend } from './handlers/send.ts';
import { typingRelay } from './handlers/typing.ts';
import { HashSlots } from './hash-slots.ts';
import { HelloWaiters } from './hello-waiters.ts';
import { clientAddress, createMetricsRequestHandler, createRequestHandler } from './http.ts';
import { ClusterNode } from './cluster/cluster-node.ts';
import { createLogger, type Logger } from './log.ts';
import { MessageOrdering } from './message-order.ts';
import { RelayMetrics } from './metrics.ts';
import { InProcessPresence, type Presence } from './presence.ts';
import { createRateLimits, type RateLimits } from './rate-limit.ts';
import { RevokedTokenSweep } from './revoked-tokens.ts';
import { Session } from './session.ts';
import { SessionRegistry } from './sessions.ts';
import { HEALTH_PROBE, isNetworkStore } from './store/network-store.ts';
import { openRelayStore } from './store/open.ts';
import type { RelayStore } from './store/types.ts';
import { readTlsCredentials, type TlsCredentials } from './tls.ts';
import { TokenExpiry } from './token-expiry.ts';
import { TypingCoalescer } from './typing-coalescer.ts';
import { type OriginPolicy, originPolicy, refusalOf, refuseUpgrade, type UpgradeRefusal } from './upgrade.ts';

export interface RelayOptions {
  config: RelayConfig;
  log?: Logger;
  /** Defaults to the configured one: PostgreSQL with --database-url, else SQLite at `<dataDir>/relay.db`. */
  store?: RelayStore;
  /** Defaults to in-process fan-out, or Redis with `config.redisUrl`. */
  fanout?: Fanout;
  /** Prefix of the cluster's Redis keys and channels (tests run several clusters on one Redis). */
  redisPrefix?: string;
}

export class Relay {
  readonly #ctx: RelayContext;
  readonly #http: Server;
  /** The separate /metrics listener, when configured. */
  readonly #metricsHttp: Server | undefined;
  readonly #wss: WebSocketServer;
  readonly #origins: OriginPolicy;
  readonly #helloWaiters: HelloWaiters;
  /** Every open socket, authenticated or not. */
  readonly #open = new Set<Session>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #revokedTokenSweep: RevokedTokenSweep;
  readonly #scheme: 'http' | 'https';
  /** This process as a node of a cluster (--redis-url). */
  readonly #cluster: ClusterNode | undefined;
  #shutdown: Promise<void> | undefined;

  /** What /healthz checks besides shutting down: the database, when it is over the network. */
  readonly #dependencies: readonly DependencyHealth[];

  private constructor(
    ctx: RelayContext,
    tls: TlsCredentials | undefined,
    cluster: ClusterNode | undefined,
    dependencies: readonly DependencyHealth[],
  ) {
    this.#ctx = ctx;
    this.#cluster = cluster;
    this.#dependencies = dependencies;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      // Refusals of other subprotocols happen before (upgrade.ts).
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    const { config } = ctx;
    const { passwordHashConcurrency, passwordHashQueue, passwordHashWaitMs } = config.limits;
    const httpDeps = {
      ...ctx,
      hashSlots: new HashSlots(passwordHashConcurrency, passwordHashQueue, passwordHashWaitMs),
      isShuttingDown: () => this.#shutdown !== undefined,
      // The database's reason first: without it nothing works, with or without Redis.
      unavailable: () =>
        dependencies.map((dependency) => dependency.unavailableReason()).find((reason) => reason !== undefined) ??
        (cluster && !cluster.isHealthy ? 'redis is unreachable' : undefined),
    };
    const handleRequest = createRequestHandler(httpDeps);
    this.#metricsHttp = config.metricsPort === undefined ? undefined : createServer(createMetricsRequestHandler(httpDeps));
    const servesWebClient = existsSync(path.join(config.webRoot, 'index.html'));
    this.#origins = originPolicy(config.allowedOrigins, servesWebClient, config.trustProxy);
    this.#helloWaiters = new HelloWaiters(config.limits.unauthenticatedSocketsPerAddress, config.limits.unauthenticatedSockets);
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
      ctx.tokenExpiry,
      () => this.#open,
      ctx.config.limits.tokenRecheckIntervalMs,
      ctx.log.child({ module: 'revoked-tokens' }),
    );
    // What other nodes published while Redis was away (or before it first came) is read from the store.
    cluster?.link.onUp(() => {
      for (const session of this.#open) session.catchUp();
    });
  }

  /**
   * Reads the TLS files if configured (a ConfigError when they are unusable),
   * opens the store and starts listening on the configured host and port.
   */
  static async start(options: RelayOptions): Promise<Relay> {
    const { config } = options;
    const tls = config.tls && readTlsCredentials(config.tls);
    const log = options.log ?? createLogger(config.logLevel);
    // SQLite runs on its own thread, so that no fsync stops the event loop (store-thread.ts, open.ts).
    const store = options.store ?? (await openRelayStore(config, log.child({ module: 'store' })));
    const metrics = new RelayMetrics();
    const cluster =
      config.redisUrl === undefined
        ? undefined
        : new ClusterNode({ redisUrl: config.redisUrl, prefix: options.redisPrefix, limits: config.limits, registry: metrics.registry, log });
    const fanout = options.fanout ?? cluster?.fanout ?? new InProcessFanout();
    const rateLimits: RateLimits = cluster?.rateLimits(config.rateLimits) ?? createRateLimits(config.limits, config.rateLimits);
    const presence: Presence =
      cluster?.presence(store, fanout) ??
      new InProcessPresence(store, fanout, config.limits.presenceGraceMs, log.child({ module: 'presence' }));
    const ordering = cluster && new MessageOrdering(store, metrics.gapCounters, log.child({ module: 'message-order' }));
    const sessions = new SessionRegistry(fanout, rateLimits.sockets, {
      firstSession: (userId) => presence.userConnected(userId),
      lastSession: (userId) => presence.userDisconnected(userId),
    });
    const groupCommit = new GroupCommit(
      store,
      judgeSend,
      rateLimits.sends,
      config.limits.groupCommitMaxSends,
      metrics,
      log.child({ module: 'group-commit' }),
    );
    // Coalescing typing is a rate limit too: off with them (load tests).
    const typing = new TypingCoalescer(
      config.rateLimits ? config.limits.typingIntervalMs : 0,
      typingRelay({ store, fanout, log: log.child({ module: 'typing' }) }),
    );
    const tokenExpiry = new TokenExpiry(config.limits.sessionIdleMs);
    let files: FileService;
    try {
      files = createFileService(config, store, metrics.registry, tokenExpiry, rateLimits.uploads, log.child({ module: 'files' }));
    } catch (error) {
      // An unusable files directory: nothing listens yet, but the store holds its lock.
      await presence.stop();
      await cluster?.close();
      await store.close();
      throw error;
    }
    const dependencies = isNetworkStore(store)
      ? [
          new DependencyHealth(
            'database',
            () => store[HEALTH_PROBE](),
            config.limits.healthCheckIntervalMs,
            config.limits.unhealthyAfterMs,
            log.child({ module: 'health' }),
          ),
        ]
      : [];
    const relay = new Relay(
      { config, store, fanout, sessions, presence, groupCommit, rateLimits, typing, tokenExpiry, metrics, log, files, ordering },
      tls,
      cluster,
      dependencies,
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
    const { log, groupCommit, presence, fanout, store, typing, files } = this.#ctx;
    log.info({ sockets: this.#open.size }, 'shutting down');
    clearInterval(this.#heartbeat);
    for (const dependency of this.#dependencies) dependency.stop();
    typing.stop();
    await files.stop();
    await this.#revokedTokenSweep.stop();
    const sessions = [...this.#open];
    for (const session of sessions) session.close(CLOSE_CODES.relayRestarting, 'relay restarting');
    await groupCommit.drain();
    // Each close completes, or is cut short by the close grace (Session.close).
    await Promise.all(sessions.map((session) => session.whenClosed()));
    await presence.stop();
    for (const server of [this.#http, this.#metricsHttp]) {
      if (!server?.listening) continue;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    await fanout.close();
    await this.#cluster?.close();
    await store.close();
    log.info('shut down');
  }

  /** http://HOST:PORT of the metrics listener, when there is one. */
  get metricsUrl(): string | undefined {
    if (!this.#metricsHttp?.listening) return undefined;
    const host = this.#ctx.config.metricsHost;
    return `http://${host.includes(':') ? `[${host}]` : host}:${(this.#metricsHttp.address() as AddressInfo).port}`;
  }

  async #listen(): Promise<void> {
    const { config, log } = this.#ctx;
    await listen(this.#http, config.port, config.host);
    if (this.#metricsHttp && config.metricsPort !== undefined) {
      await listen(this.#metricsHttp, config.metricsPort, config.metricsHost);
      log.info({ url: this.metricsUrl }, 'metrics listening');
    }
    log.info({ origins: this.#origins }, 'WebSocket origin policy');
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = clientAddress(request, this.#ctx.config.trustProxy);
    const refusal = refusalOf(request, { origins: this.#origins, shuttingDown: this.#shutdown !== undefined });
    if (refusal) {
      this.#refuse(socket, refusal);
      return;
    }
    const helloArrived = this.#helloWaiters.admit(address);
    if (!helloArrived) {
      this.#ctx.log.warn({ address, waiting: this.#helloWaiters.count }, 'too many sockets waiting for hello, refusing');
      this.#refuse(socket, { status: 503, message: 'too many connections waiting to sign in', headers: { 'Retry-After': '5' } });
      return;
    }
    // Also when the handshake fails and `ws` destroys the socket unannounced.
    socket.once('close', helloArrived);
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const { metrics, log, sessions } = this.#ctx;
      const session = new Session(ws, socket, address, {
        limits: this.#ctx.config.limits,
        metrics,
        log,
      });
      this.#open.add(session);
      metrics.connections.inc();
      metrics.httpRequests.inc({ route: 'ws_upgrade', status: '101' });
      ws.on('message', (data, isBinary) => {
        receiveFrame(this.#ctx, session, data, isBinary);
        if (session.state !== 'awaiting_hello') helloArrived();
      });
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

  #refuse(socket: Duplex, refusal: UpgradeRefusal): void {
    // Node hands the socket over without an error listener: a client that
    // resets it now must not crash the process.
    socket.on('error', () => socket.destroy());
    this.#ctx.metrics.httpRequests.inc({ route: 'ws_upgrade', status: String(refusal.status) });
    refuseUpgrade(socket, refusal);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
