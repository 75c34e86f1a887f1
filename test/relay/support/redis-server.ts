// Redis for test files: a private redis-server per file
// (test/helpers/redis-server.ts) and the relay-side links to it, ready.
import { afterAll, beforeAll } from 'vitest';
import { RedisServer } from '../../helpers/redis-server.ts';
import { createLogger } from '../../../relay/log.ts';
import { RedisLink } from '../../../relay/cluster/redis-link.ts';

/** A relay node's link to `server`, connected. */
export async function connectedLink(server: RedisServer, prefix = 'test:'): Promise<RedisLink> {
  const link = new RedisLink({ url: server.url, prefix, log: createLogger('silent') });
  link.connect();
  await until(() => link.isUp);
  return link;
}

/** Resolves once `condition` holds, or fails after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}


/**
 * A private redis-server for the calling test file (started before its
 * tests, killed after them), and links to it that are closed with it.
 */
export function redisForThisFile(): { server: () => RedisServer; link: (prefix: string, server?: RedisServer) => Promise<RedisLink> } {
  let redis: RedisServer | undefined;
  const links: RedisLink[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(links.map((made) => made.close()));
    await redis?.kill();
  });
  const server = () => {
    if (!redis) throw new Error('the file’s redis-server is not started yet');
    return redis;
  };
  return {
    server,
    async link(prefix, on = server()) {
      const made = await connectedLink(on, prefix);
      links.push(made);
      return made;
    },
  };
}

export { RedisServer };
