// Presence across relay nodes (relay/presence.ts is the contract): a user is
// online while any live node holds a session of theirs. In Redis:
//
//   node:ID          exists while node ID is alive (renewed every
//                    nodeHeartbeatMs, expires after 3 of them)
//   nodes            the ids of nodes that registered
//   online:USER      the ids of the nodes holding a session of USER
//   nodeusers:ID     the users node ID registered (to clean up after it)
//
// Each change is one Lua script, so that "first node to hold the user" and
// "last node to let go" are decided atomically: only then is the change
// announced to contacts, by the node that made it. A node that dies without a
// word stops renewing its key; the next heartbeat of any other node finds it
// expired, removes it from its users' sets and announces those left on no
// live node offline (docs/scaling.md, "Presence"). A node that lost Redis for
// long enough to be counted dead registers its users again on reconnecting.
//
// The grace after a user's last session here stays local, as in the
// in-process implementation. Without Redis a node answers from what it knows
// itself: its own users online, the others offline with their lastSeen.
import type { Redis } from 'ioredis';
import type { Presence as PresenceObject } from '../../src/shared/protocol/index.ts';
import type { Fanout } from '../fanout.ts';
import type { Logger } from '../log.ts';
import { describePresence, type Presence, PresenceAnnouncer, UsersHere } from '../presence.ts';
import type { RelayStore } from '../store/types.ts';
import type { RedisLink } from './redis-link.ts';

// Shared by the scripts: how many of a user's nodes are alive, dropping the dead ones.
const LIVE_NODES = `
local function liveNodes(userKey, nodePrefix)
  local live = 0
  for _, node in ipairs(redis.call('SMEMBERS', userKey)) do
    if redis.call('EXISTS', nodePrefix .. node) == 1 then live = live + 1 else redis.call('SREM', userKey, node) end
  end
  return live
end
`;

/**
 * KEYS: online:USER, nodeusers:NODE. ARGV: node, user, node key prefix, TTL
 * in ms (the node is renewed: it is alive, and must count itself). 1 when no
 * other live node held the user.
 */
const CONNECT = `${LIVE_NODES}
redis.call('SET', ARGV[3] .. ARGV[1], '1', 'PX', ARGV[4])
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if added == 1 and liveNodes(KEYS[1], ARGV[3]) == 1 then return 1 end
return 0`;

/** KEYS: online:USER, nodeusers:NODE. ARGV: node, user, node key prefix. 1 when no live node holds the user any more. */
const DISCONNECT = `${LIVE_NODES}
local removed = redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if removed == 1 and liveNodes(KEYS[1], ARGV[3]) == 0 then return 1 end
return 0`;

/** KEYS: online:USER... ARGV: node key prefix. 1 or 0 per user. */
const DESCRIBE = `${LIVE_NODES}
local result = {}
for i, key in ipairs(KEYS) do result[i] = liveNodes(key, ARGV[1]) > 0 and 1 or 0 end
return result`;

/**
 * KEYS: nodes. ARGV: key prefix, this node, this node's key TTL in ms.
 * Renews this node, then removes every node whose key expired: the users it
 * held that no live node holds now are returned, to be announced offline.
 */
const HEARTBEAT = `${LIVE_NODES}
local prefix = ARGV[1]
redis.call('SET', prefix .. 'node:' .. ARGV[2], '1', 'PX', ARGV[3])
redis.call('SADD', KEYS[1], ARGV[2])
local offline = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'node:' .. node) == 0 then
    for _, user in ipairs(redis.call('SMEMBERS', prefix .. 'nodeusers:' .. node)) do
      local userKey = prefix .. 'online:' .. user
      if redis.call('SREM', userKey, node) == 1 and liveNodes(userKey, prefix .. 'node:') == 0 then
        table.insert(offline, user)
      end
    end
    redis.call('DEL', prefix .. 'nodeusers:' .. node)
    redis.call('SREM', KEYS[1], node)
  end
end
return offline`;

/**
 * KEYS: nodes. ARGV: key prefix, this node, TTL in ms, then the users this
 * node holds now. Makes Redis agree with the node (after Redis was away, or
 * with no users at shutdown): returns the users now online that were not,
 * then a separator '', then the users now offline.
 */
const RESYNC = `${LIVE_NODES}
local prefix, node = ARGV[1], ARGV[2]
local nodeUsersKey = prefix .. 'nodeusers:' .. node
local here = {}
for i = 4, #ARGV do here[ARGV[i]] = true end
local came, went = {}, {}
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', prefix .. 'node:' .. node, '1', 'PX', ARGV[3])
  redis.call('SADD', KEYS[1], node)
else
  redis.call('DEL', prefix .. 'node:' .. node)
  redis.call('SREM', KEYS[1], node)
end
for _, user in ipairs(redis.call('SMEMBERS', nodeUsersKey)) do
  if not here[user] then
    local userKey = prefix .. 'online:' .. user
    redis.call('SREM', nodeUsersKey, user)
    if redis.call('SREM', userKey, node) == 1 and liveNodes(userKey, prefix .. 'node:') == 0 then table.insert(went, user) end
  end
end
for user in pairs(here) do
  local userKey = prefix .. 'online:' .. user
  redis.call('SADD', nodeUsersKey, user)
  if redis.call('SADD', userKey, node) == 1 and liveNodes(userKey, prefix .. 'node:') == 1 then table.insert(came, user) end
end
table.insert(came, '')
for _, user in ipairs(went) do table.insert(came, user) end
return came`;

type PresenceRedis = Redis & {
  presenceConnect(onlineKey: string, nodeUsersKey: string, node: string, user: string, nodePrefix: string, ttlMs: number): Promise<number>;
  presenceDisconnect(onlineKey: string, nodeUsersKey: string, node: string, user: string, nodePrefix: string): Promise<number>;
  presenceDescribe(numberOfKeys: number, ...args: string[]): Promise<number[]>;
  presenceHeartbeat(nodesKey: string, prefix: string, node: string, ttlMs: number): Promise<string[]>;
  presenceResync(nodesKey: string, prefix: string, node: string, ttlMs: number, ...users: string[]): Promise<string[]>;
};

/** A node counts as dead after this many heartbeat intervals without one. */
export const MISSED_HEARTBEATS = 3;

export interface RedisPresenceOptions {
  graceMs: number;
  heartbeatMs: number;
}

export class RedisPresence implements Presence {
  readonly #store: RelayStore;
  readonly #link: RedisLink;
  readonly #redis: PresenceRedis;
  readonly #log: Logger;
  readonly #ttlMs: number;
  readonly #announcer: PresenceAnnouncer;
  /** Users with a session here, or within the grace after their last one. */
  readonly #here: UsersHere;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #stopReconnect: () => void;
  /** Redis updates go one after another, so that a user's connect and disconnect keep their order. */
  #updating: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(store: RelayStore, fanout: Fanout, link: RedisLink, options: RedisPresenceOptions, log: Logger) {
    this.#store = store;
    this.#link = link;
    this.#log = log;
    this.#here = new UsersHere(options.graceMs);
    this.#ttlMs = options.heartbeatMs * MISSED_HEARTBEATS;
    this.#announcer = new PresenceAnnouncer(store, fanout, log);
    const commands = link.commands;
    commands.defineCommand('presenceConnect', { numberOfKeys: 2, lua: CONNECT });
    commands.defineCommand('presenceDisconnect', { numberOfKeys: 2, lua: DISCONNECT });
    commands.defineCommand('presenceDescribe', { lua: DESCRIBE });
    commands.defineCommand('presenceHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
    commands.defineCommand('presenceResync', { numberOfKeys: 1, lua: RESYNC });
    this.#redis = commands as PresenceRedis;
    this.#heartbeat = setInterval(() => this.#update(() => this.#beat()), options.heartbeatMs);
    // Registers the node on connecting, and again after Redis was away (it may have been counted dead).
    this.#stopReconnect = link.onUp(() => this.#update(() => this.#resync(this.#ttlMs)));
    if (link.isUp) this.#update(() => this.#resync(this.#ttlMs));
  }

  userConnected(userId: string): void {
    if (!this.#here.connected(userId)) return;
    this.#update(async () => {
      const first = await this.#redis.presenceConnect(...this.#userArgs(userId), this.#ttlMs);
      if (first === 1) this.#announcer.announce({ t: 'presence', user: userId, online: true });
    });
  }

  userDisconnected(userId: string): void {
    this.#here.disconnected(userId, () =>
      this.#update(async () => {
        const last = await this.#redis.presenceDisconnect(...this.#userArgs(userId));
        if (last === 1) this.#announcer.announce({ t: 'presence', user: userId, online: false, lastSeen: Date.now() });
      }),
    );
  }

  async describe(userIds: readonly string[]): Promise<PresenceObject[]> {
    const online = new Set(userIds.filter((userId) => this.#here.users.has(userId)));
    const elsewhere = userIds.filter((userId) => !online.has(userId));
    if (elsewhere.length > 0 && this.#link.isUp) {
      try {
        const keys = elsewhere.map((userId) => this.#link.key('online', userId));
        const flags = await this.#redis.presenceDescribe(keys.length, ...keys, this.#link.key('node', ''));
        elsewhere.forEach((userId, i) => flags[i] === 1 && online.add(userId));
      } catch (error) {
        this.#log.warn({ err: error }, 'reading presence from redis failed; answering from this node alone');
      }
    }
    return describePresence(this.#store, userIds, online);
  }

  /** Leaves the cluster: this node's users on no other node go offline, with lastSeen. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    this.#stopReconnect();
    const stillHere = this.#here.clear();
    await this.#updating;
    const now = Date.now();
    let wentOffline = stillHere;
    if (this.#link.isUp) {
      try {
        wentOffline = await this.#resyncUsers(0);
      } catch (error) {
        this.#log.warn({ err: error }, 'leaving the cluster\'s presence failed; other nodes will count this node dead');
      }
    }
    for (const userId of wentOffline) this.#announcer.announce({ t: 'presence', user: userId, online: false, lastSeen: now });
    await this.#announcer.idle();
    if (stillHere.length > 0) await this.#store.setLastSeen(stillHere, now);
  }

  /** Abandons the cluster without a word, as a node killed with -9 would (tests). */
  abandon(): void {
    this.#stopped = true;
    clearInterval(this.#heartbeat);
    this.#stopReconnect();
    this.#here.clear();
  }

  #userArgs(userId: string): [string, string, string, string, string] {
    const { nodeId } = this.#link;
    return [this.#link.key('online', userId), this.#link.key('nodeusers', nodeId), nodeId, userId, this.#link.key('node', '')];
  }

  /** Queues a Redis update; while Redis is away it fails, and the resync on reconnect repairs it. */
  #update(work: () => Promise<void>): void {
    if (this.#stopped) return;
    this.#updating = this.#updating
      .then(() => (this.#link.isUp ? work() : undefined))
      .catch((error: unknown) => this.#log.warn({ err: error }, 'updating presence in redis failed'));
  }

  async #beat(): Promise<void> {
    const offline = await this.#redis.presenceHeartbeat(this.#link.key('nodes'), this.#link.prefix, this.#link.nodeId, this.#ttlMs);
    const now = Date.now();
    for (const userId of offline) {
      this.#log.info({ user: userId }, 'user offline: their node stopped renewing its heartbeat');
      this.#announcer.announce({ t: 'presence', user: userId, online: false, lastSeen: now });
    }
  }

  async #resync(ttlMs: number): Promise<void> {
    const wentOffline = await this.#resyncUsers(ttlMs);
    const now = Date.now();
    for (const userId of wentOffline) this.#announcer.announce({ t: 'presence', user: userId, online: false, lastSeen: now });
  }

  /** Makes Redis hold exactly this node's users (none with ttlMs 0); announces who came, returns who went. */
  async #resyncUsers(ttlMs: number): Promise<string[]> {
    const users = ttlMs === 0 ? [] : [...this.#here.users];
    const reply = await this.#redis.presenceResync(this.#link.key('nodes'), this.#link.prefix, this.#link.nodeId, ttlMs, ...users);
    const separator = reply.indexOf('');
    for (const userId of reply.slice(0, separator)) this.#announcer.announce({ t: 'presence', user: userId, online: true });
    return reply.slice(separator + 1);
  }
}
