// How the load generator sets up users and groups on each kind of server.
// The relay gets the real thing (HTTP registration, tokens, `create` frames);
// the baseline has no accounts, so its "users" and "groups" are just names
// that clients announce in their hello.
import type { WebSocket } from 'ws';
import type { AuthResponse, ConvFrame } from '../../src/shared/protocol/index.ts';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/index.ts';
import { closeSocket, mapLimit, openSession, request, wsUrlOf } from './connections.ts';
import type { TargetKind } from './ipc.ts';

export interface BenchClient {
  index: number;
  userId: string;
  /** The frame that opens this client's session. */
  hello: string;
  conv: string;
  /** Other members of `conv`: how many `msg` frames each of its sends causes. */
  fanout: number;
}

export interface SetupOutcome {
  clients: BenchClient[];
  registerMs: number;
  createMs: number;
}

// Registration hashes passwords with a deliberately slow hash; a few at a
// time keeps the relay's thread pool busy without queueing hundreds.
const REGISTER_CONCURRENCY = 8;
const CREATE_CONCURRENCY = 16;
const HTTP_TIMEOUT_MS = 30_000;
const PASSWORD = 'benchmark-password';

/**
 * Splits clients 0..n-1 into floor(n/m) groups by index modulo the group
 * count, so that sizes are m or m+1 and every client is in exactly one group.
 */
export function planGroups(n: number, m: number): number[][] {
  const count = Math.max(1, Math.floor(n / m));
  const groups: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < n; i++) groups[i % count]?.push(i);
  return groups;
}

export async function setupTarget(target: TargetKind, url: string, n: number, m: number): Promise<SetupOutcome> {
  const groups = planGroups(n, m);
  return target === 'relay' ? setupRelay(url, n, groups) : setupBaseline(n, groups);
}

function setupBaseline(n: number, groups: number[][]): SetupOutcome {
  const clients = new Array<BenchClient>(n);
  groups.forEach((members, g) => {
    for (const index of members) {
      const userId = `u${index}`;
      const conv = `g${g}`;
      clients[index] = {
        index,
        userId,
        conv,
        fanout: members.length - 1,
        hello: JSON.stringify({ t: 'hello', user: userId, convs: [conv] }),
      };
    }
  });
  return { clients, registerMs: 0, createMs: 0 };
}

async function setupRelay(url: string, n: number, groups: number[][]): Promise<SetupOutcome> {
  // A per-run tag keeps usernames unique should someone point the benchmark
  // at a relay whose data directory already has users.
  const tag = Date.now().toString(36).slice(-6);
  const registerStart = performance.now();
  const accounts = await mapLimit(Array.from({ length: n }, (_, i) => i), REGISTER_CONCURRENCY, (i) =>
    register(url, `b${tag}_${i}`, `Bench ${i}`),
  );
  const registerMs = performance.now() - registerStart;

  const createStart = performance.now();
  const convIds = await mapLimit(groups, CREATE_CONCURRENCY, async (members, g) => {
    const creator = accounts[members[0] ?? 0] as AuthResponse;
    const ws = await openSession(wsUrlOf(url), relayHello(creator.token));
    try {
      const answer = (await request(ws, {
        t: 'create',
        rid: `bench-create-${g}`,
        kind: 'group',
        title: `Bench group ${g}`,
        members: members.slice(1).map((i) => (accounts[i] as AuthResponse).user.id),
      })) as unknown as ConvFrame;
      if (answer.t !== 'conv') throw new Error(`create answered with ${answer.t}`);
      return answer.conv.id;
    } finally {
      await closeSocket(ws as WebSocket);
    }
  });
  const createMs = performance.now() - createStart;

  const clients = new Array<BenchClient>(n);
  groups.forEach((members, g) => {
    for (const index of members) {
      const account = accounts[index] as AuthResponse;
      clients[index] = {
        index,
        userId: account.user.id,
        conv: convIds[g] as string,
        fanout: members.length - 1,
        hello: relayHello(account.token),
      };
    }
  });
  return { clients, registerMs, createMs };
}

function relayHello(token: string): string {
  return JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, token, cursors: {} });
}

async function register(url: string, username: string, displayName: string): Promise<AuthResponse> {
  const response = await fetch(new URL('/api/register', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, displayName }),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== 201) {
    const hint = response.status === 429 || response.status === 403 ? ' (is the relay running with --no-rate-limits?)' : '';
    throw new Error(`register ${username}: HTTP ${response.status} ${text.slice(0, 200)}${hint}`);
  }
  return JSON.parse(text) as AuthResponse;
}
