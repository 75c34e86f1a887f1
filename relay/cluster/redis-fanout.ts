// The fan-out across relay nodes (relay/fanout.ts is the contract): one Redis
// pub/sub channel per user, which every node with a socket of that user
// subscribes to, as Centrifugo does with its personal channels. Events reach
// this node's own sockets directly, in process, and the other nodes through
// Redis; a node ignores its own events coming back. A publish to many users
// is one small Lua script (the payload crosses the network once, Redis
// publishes it on each channel).
//
// While Redis is unreachable only the remote half is lost: this node's
// sockets still get everything published here, and subscribing resolves at
// once (ioredis subscribes when Redis is back). What other nodes published
// meanwhile is filled from the store: msg frames by the sequencer
// (message-order.ts) on reconnect, the rest by clients on their next session.
import type { Redis } from 'ioredis';
import { type Fanout, type FanoutEvent, type FanoutListener, InProcessFanout } from '../fanout.ts';
import type { Logger } from '../log.ts';
import type { RedisLink } from './redis-link.ts';

/** How an event crosses Redis: the publishing node and the event. */
interface Envelope {
  node: string;
  event: FanoutEvent;
}

const PUBLISH_MANY = `for i = 1, #KEYS do redis.call('PUBLISH', KEYS[i], ARGV[1]) end return #KEYS`;

type WithPublishMany = Redis & { publishMany(numberOfKeys: number, ...args: string[]): Promise<number> };

export interface RedisFanoutCounters {
  /** Events received from other nodes. */
  received(): void;
  /** Events that could not be published to other nodes (Redis away). */
  unpublished(): void;
  /** Messages on a user channel that were not an event (a stranger on the channel). */
  malformed(): void;
}

const NO_COUNTERS: RedisFanoutCounters = { received() {}, unpublished() {}, malformed() {} };

export class RedisFanout implements Fanout {
  readonly #local = new InProcessFanout();
  readonly #link: RedisLink;
  readonly #commands: WithPublishMany;
  readonly #log: Logger;
  readonly #counters: RedisFanoutCounters;
  /** Local listeners per subscribed user channel; the channel is left when it drops to 0. */
  readonly #channelUsers = new Map<string, number>();
  readonly #onMessage = (channel: string, text: string) => this.#received(channel, text);
  /**
   * The last event text received and what it parsed to. Redis publishes an
   * event on each recipient's channel in turn, so a node with several of the
   * recipients gets the same text several times in a row: parsed once.
   */
  #lastText = '';
  #lastEnvelope: Envelope | undefined;
  #closed = false;

  constructor(link: RedisLink, log: Logger, counters: RedisFanoutCounters = NO_COUNTERS) {
    this.#link = link;
    this.#log = log;
    this.#counters = counters;
    link.commands.defineCommand('publishMany', { lua: PUBLISH_MANY });
    this.#commands = link.commands as WithPublishMany;
    link.subscriber.on('message', this.#onMessage);
  }

  async subscribe(userId: string, listener: FanoutListener): Promise<() => void> {
    const unsubscribeLocal = await this.#local.subscribe(userId, listener);
    const channel = this.#channel(userId);
    const count = this.#channelUsers.get(channel) ?? 0;
    this.#channelUsers.set(channel, count + 1);
    if (count === 0) {
      const subscribed = this.#link.subscriber.subscribe(channel);
      // Awaited only while Redis is up: a node without Redis still starts sessions.
      if (this.#link.isUp) {
        await subscribed.catch((error: unknown) => this.#log.warn({ err: error, user: userId }, 'redis subscribe failed'));
      } else {
        subscribed.catch(() => {});
      }
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribeLocal();
      const left = (this.#channelUsers.get(channel) ?? 1) - 1;
      if (left > 0) {
        this.#channelUsers.set(channel, left);
        return;
      }
      this.#channelUsers.delete(channel);
      if (!this.#closed) this.#link.subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  publish(userIds: Iterable<string>, event: FanoutEvent): void {
    const ids = [...userIds];
    this.#local.publish(ids, event);
    if (ids.length === 0 || this.#closed) return;
    if (!this.#link.isUp) {
      this.#counters.unpublished();
      return;
    }
    const envelope: Envelope = { node: this.#link.nodeId, event };
    const channels = ids.map((userId) => this.#channel(userId));
    this.#commands.publishMany(channels.length, ...channels, JSON.stringify(envelope)).catch((error: unknown) => {
      this.#counters.unpublished();
      this.#log.warn({ err: error }, 'publishing to other nodes failed');
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#link.subscriber.off('message', this.#onMessage);
    const channels = [...this.#channelUsers.keys()];
    this.#channelUsers.clear();
    if (channels.length > 0 && this.#link.isUp) await this.#link.subscriber.unsubscribe(...channels).catch(() => {});
    await this.#local.close();
  }

  #channel(userId: string): string {
    return this.#link.key('user', userId);
  }

  #received(channel: string, text: string): void {
    if (this.#closed || !this.#channelUsers.has(channel)) return;
    if (text !== this.#lastText) {
      this.#lastText = text;
      this.#lastEnvelope = parseEnvelope(text);
    }
    const envelope = this.#lastEnvelope;
    if (!envelope) {
      this.#counters.malformed();
      this.#log.warn({ channel }, 'ignoring a malformed event from redis');
      return;
    }
    if (envelope.node === this.#link.nodeId) return;
    this.#counters.received();
    this.#local.publish([channel.slice(this.#link.key('user', '').length)], envelope.event);
  }
}

/** Redis is shared infrastructure: what arrives is checked before it reaches a socket. */
function parseEnvelope(text: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value.node !== 'string' || !isRecord(value.event)) return undefined;
  const event = value.event;
  if (event.kind === 'revoke') {
    // The reason is the close frame's text (123 bytes at most); keep it short.
    const reasonOk = event.reason === undefined || (typeof event.reason === 'string' && event.reason.length <= 64);
    return typeof event.tokenHash === 'string' && reasonOk ? (value as unknown as Envelope) : undefined;
  }
  if (event.kind !== 'frame' || typeof event.text !== 'string') return undefined;
  if (event.exceptSession !== undefined && typeof event.exceptSession !== 'string') return undefined;
  if (event.ephemeral !== undefined && event.ephemeral !== true) return undefined;
  const message = event.message;
  if (message !== undefined && !(isRecord(message) && typeof message.conv === 'string' && Number.isSafeInteger(message.seq))) {
    return undefined;
  }
  return value as unknown as Envelope;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
