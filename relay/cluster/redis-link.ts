// A relay node's connections to Redis (docs/scaling.md): one for commands
// and publishing, one in subscriber mode (Redis allows nothing else on a
// subscribed connection). The client is ioredis: it reconnects by itself with
// back-off, resubscribes its channels after a reconnect, runs Lua scripts by
// SHA with a fallback to EVAL, and is typed; node-redis would do as well, but
// its resubscription and script handling take more code around it.
//
// Redis is a fast path, not the truth: while it is unreachable the node keeps
// serving its own sockets, commands fail at once instead of queueing (no
// offline queue on the command connection), and `downForMs` tells /healthz
// how long this has lasted so that a load balancer drains the node.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

export interface RedisLinkOptions {
  url: string;
  /** Prefix of every key and channel, so that several clusters (or tests) can share one Redis. */
  prefix?: string;
  log: Logger;
}

type Listener = () => void;

export class RedisLink {
  /** This node's id: unique per process start, so a restarted node is a new one. */
  readonly nodeId = randomUUID();
  readonly prefix: string;
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly #log: Logger;
  /** When either connection was last lost; undefined while both are up. */
  #downSince: number | undefined = Date.now();
  readonly #upListeners = new Set<Listener>();
  #closed = false;

  constructor({ url, prefix = 'duplex:', log }: RedisLinkOptions) {
    this.prefix = prefix;
    this.#log = log;
    const options = {
      lazyConnect: true,
      // A reconnect every 100 ms .. 2 s, forever: Redis coming back is the normal case.
      retryStrategy: (attempt: number) => Math.min(2_000, attempt * 100),
      connectTimeout: 2_000,
    };
    // A Redis that hangs (not closed) fails commands after a second too, so that a send never waits on it.
    // Auto-pipelining writes the commands of one event-loop turn (a group
    // commit's publishes, the rate-limit scripts) in one write, not one each.
    this.commands = new Redis(url, {
      ...options,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      enableAutoPipelining: true,
    });
    // Subscriptions made while Redis is away wait for it; ioredis resubscribes every channel after a reconnect.
    this.subscriber = new Redis(url, { ...options, autoResubscribe: true, maxRetriesPerRequest: null });
    for (const client of [this.commands, this.subscriber]) {
      client.on('ready', () => this.#clientReady());
      client.on('close', () => this.#clientLost());
      // Without a listener ioredis prints every failed reconnect; the state changes are logged here instead.
      client.on('error', (error: Error) => this.#log.debug({ err: error }, 'redis connection error'));
    }
  }

  /** Starts connecting; resolves at once, as a node starts whether Redis is there or not. */
  connect(): void {
    for (const client of [this.commands, this.subscriber]) {
      client.connect().catch((error: unknown) => this.#log.warn({ err: error }, 'redis not reachable yet; retrying'));
    }
  }

  get isUp(): boolean {
    return this.#downSince === undefined;
  }

  /** How long Redis has been unreachable (0 while it is reachable). */
  downForMs(now = Date.now()): number {
    return this.#downSince === undefined ? 0 : now - this.#downSince;
  }

  /**
   * Called each time both connections are up: on the first connect and after
   * every loss. What a node did alone meanwhile is made good here.
   */
  onUp(listener: Listener): () => void {
    this.#upListeners.add(listener);
    return () => this.#upListeners.delete(listener);
  }

  key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#upListeners.clear();
    // QUIT waits for a connection; without one (Redis away) there is nothing to say goodbye to.
    await Promise.all(
      [this.commands, this.subscriber].map(async (client) => {
        if (client.status !== 'ready') client.disconnect();
        else await client.quit().catch(() => client.disconnect());
      }),
    );
  }

  #clientReady(): void {
    if (this.commands.status !== 'ready' || this.subscriber.status !== 'ready' || this.#downSince === undefined) return;
    this.#downSince = undefined;
    this.#log.info({ node: this.nodeId }, 'redis connected');
    for (const listener of this.#upListeners) listener();
  }

  #clientLost(): void {
    if (this.#closed || this.#downSince !== undefined) return;
    this.#downSince = Date.now();
    this.#log.warn({ node: this.nodeId }, 'redis connection lost; serving this node\'s sockets alone until it is back');
  }
}
