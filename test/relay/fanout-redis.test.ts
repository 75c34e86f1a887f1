// The Redis Fanout against the Fanout contract: two nodes (two links to one
// private redis-server), publishing on one and subscribed on the other; and
// what it does when Redis goes away and comes back.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FanoutEvent } from '../../relay/fanout.ts';
import { createLogger } from '../../relay/log.ts';
import { RedisFanout } from '../../relay/cluster/redis-fanout.ts';
import { runFanoutContract } from './fanout-contract.ts';
import { connectedLink, RedisServer, until } from './support/redis-server.ts';

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis.kill();
});

const log = createLogger('silent');
let run = 0;

runFanoutContract('redis, across two nodes', async () => {
  const prefix = `contract-${++run}:`;
  const [publisherLink, subscriberLink] = await Promise.all([connectedLink(redis, prefix), connectedLink(redis, prefix)]);
  const publisher = new RedisFanout(publisherLink, log);
  const subscriber = new RedisFanout(subscriberLink, log);
  return {
    publisher,
    subscriber,
    async dispose() {
      await Promise.all([publisher.close(), subscriber.close()]);
      await Promise.all([publisherLink.close(), subscriberLink.close()]);
    },
  };
});

describe('Redis fan-out', () => {
  const frame = (text: string): FanoutEvent => ({ kind: 'frame', text });

  test('delivers to this node’s listeners once, not again through Redis', async () => {
    const link = await connectedLink(redis, 'once:');
    const fanout = new RedisFanout(link, log);
    const got: FanoutEvent[] = [];
    await fanout.subscribe('alice', (event) => got.push(event));
    fanout.publish(['alice'], frame('one'));
    expect(got).toEqual([frame('one')]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toEqual([frame('one')]);
    await fanout.close();
    await link.close();
  });

  test('ignores what is not an event on a user channel', async () => {
    const link = await connectedLink(redis, 'strangers:');
    const fanout = new RedisFanout(link, log);
    const got: FanoutEvent[] = [];
    await fanout.subscribe('alice', (event) => got.push(event));
    for (const text of ['not json', '{"node":"x"}', '{"node":"x","event":{"kind":"frame","text":5}}', '{"node":"x","event":{"kind":"nuke"}}', '{"node":"x","event":{"kind":"revoke","tokenHash":"h","reason":7}}']) {
      await link.commands.publish(link.key('user', 'alice'), text);
    }
    // A revoke with its reason (a password change, a sign-out from another device) comes through whole.
    const revoke: FanoutEvent = { kind: 'revoke', tokenHash: 'h', reason: 'password changed' };
    await link.commands.publish(link.key('user', 'alice'), JSON.stringify({ node: 'other', event: revoke }));
    await link.commands.publish(link.key('user', 'alice'), JSON.stringify({ node: 'other', event: frame('good') }));
    await until(() => got.length > 1);
    expect(got).toEqual([revoke, frame('good')]);
    await fanout.close();
    await link.close();
  });

  test('without Redis a node still serves its own listeners; across nodes delivery resumes when Redis is back', async () => {
    const private_ = await RedisServer.start();
    const [a, b] = await Promise.all([connectedLink(private_, 'fault:'), connectedLink(private_, 'fault:')]);
    const nodeA = new RedisFanout(a, log);
    const nodeB = new RedisFanout(b, log);
    const onA: FanoutEvent[] = [];
    const onB: FanoutEvent[] = [];
    await nodeA.subscribe('alice', (event) => onA.push(event));
    await nodeB.subscribe('alice', (event) => onB.push(event));

    await private_.kill();
    await until(() => !a.isUp && !b.isUp);
    nodeA.publish(['alice'], frame('while away'));
    expect(onA).toEqual([frame('while away')]);
    // A subscription made while Redis is away resolves at once.
    await nodeA.subscribe('carol', () => {});

    await private_.restart();
    await until(() => a.isUp && b.isUp, 10_000);
    // ioredis resubscribes after its ready event: wait until B hears A again.
    await until(() => {
      nodeA.publish(['alice'], frame('back'));
      return onB.some((event) => event.kind === 'frame' && event.text === 'back');
    }, 10_000);
    expect(onB.some((event) => event.kind === 'frame' && event.text === 'while away')).toBe(false);
    await Promise.all([nodeA.close(), nodeB.close()]);
    await Promise.all([a.close(), b.close()]);
    await private_.kill();
  });
});
