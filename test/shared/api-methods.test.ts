// The method table (src/shared/api-methods.ts) against everything that carries
// a DuplexApi call: the engine both hosts run, and the renderer's test fake.
// (The preload is checked against it in test/main/preload.test.ts, the IPC
// validation in test/main/ipc.test.ts.) A method missing on one side fails
// here; and since the engine validates with the table itself, a bad call is
// refused the same way on the desktop and on the web.
import { describe, expect, it } from 'vitest';
import { duplexMethods, InvalidArgumentsError } from '../../src/shared/api-methods.ts';
import { DuplexEngine } from '../../src/shared/engine/engine.ts';
import { FakeDuplexApi, takeOffTableCalls } from '../renderer/fake-api.ts';

function idleEngine(): DuplexEngine {
  return new DuplexEngine({
    WebSocket: globalThis.WebSocket,
    fetch: () => Promise.reject(new Error('no network in this test')),
    openStore: () => Promise.reject(new Error('no store in this test')),
    accounts: { load: async () => null, save: async () => {}, clear: async () => {} },
  });
}

const methods = Object.keys(duplexMethods);

describe('the DuplexApi method table', () => {
  it('is what the engine and the renderer’s fake implement, method for method', () => {
    const engine = idleEngine() as unknown as Record<string, unknown>;
    const fake = new FakeDuplexApi() as unknown as Record<string, unknown>;
    for (const method of methods) {
      expect(typeof engine[method], `the engine's ${method}`).toBe('function');
      expect(typeof fake[method], `the fake's ${method}`).toBe('function');
    }
  });

  it.each([
    ['markRead', ['c1', 0]],
    ['send', ['c1', 42]],
    ['send', ['c1', 'hi', 1.5]],
    ['getMessages', ['c1', { limit: 10, sql: 'DROP TABLE' }]],
    ['retry', ['c1']],
    ['signIn', [{ username: 'alice' }]],
  ] as const)('makes the engine refuse %s%j before anything else, even signed out', async (method, args) => {
    const engine = idleEngine() as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await expect(engine[method]!(...args)).rejects.toThrow(InvalidArgumentsError);
  });

  it('lets a valid call through to the engine, which answers it', async () => {
    const engine = idleEngine();
    await expect(engine.listConversations()).rejects.toThrow(/Not signed in/);
    await expect(engine.getAccount()).resolves.toBeNull();
  });

  it('checks the fake’s answers too, so it cannot drift from the engine', async () => {
    const fake = new FakeDuplexApi();
    fake.status = { state: 'sleeping' } as never;
    await expect(fake.getStatus()).rejects.toThrow(/off the table/);
    expect(takeOffTableCalls()).toHaveLength(1);
  });

  it('catches the renderer calling off the table, even where the store swallows the rejection', async () => {
    const fake = new FakeDuplexApi();
    await expect(fake.markRead('c1', 0)).rejects.toThrow(/called markRead off the table/);
    expect(takeOffTableCalls()).toEqual([expect.stringContaining('markRead')]);
  });
});
