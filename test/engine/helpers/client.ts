// A DuplexEngine as the UI would hold it, for integration tests: the real
// engine with a SQLite store in a temporary directory and Node's WebSocket and
// fetch, plus a record of its events folded into what a UI would show.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChatMessage, ConnectionStatus, ConversationSummary, DuplexEvent } from '../../../src/shared/api.ts';
import { type AccountStorage, DuplexEngine, type EngineOptions, type StoredAccount } from '../../../src/shared/engine/engine.ts';
import { silentLogger } from '../../../src/shared/engine/log.ts';
import { sqliteClientStoreOpener } from '../../../src/main/store/sqlite-client-store.ts';
import type { TestAccount } from './relay.ts';

export class MemoryAccounts implements AccountStorage {
  saved: StoredAccount | null = null;

  async load(): Promise<StoredAccount | null> {
    return this.saved;
  }

  async save(account: StoredAccount): Promise<void> {
    this.saved = account;
  }

  async clear(): Promise<void> {
    this.saved = null;
  }
}

export interface ClientOptions extends Partial<EngineOptions> {
  /** Reuse a store directory (an engine "restarted" on the same files). */
  storeDir?: string;
  accounts?: MemoryAccounts;
}

export class TestClient {
  readonly engine: DuplexEngine;
  readonly storeDir: string;
  readonly accounts: MemoryAccounts;
  readonly events: DuplexEvent[] = [];
  /** What a UI would show: conv → cid → message, from `messages` events. */
  readonly shown = new Map<string, Map<string, ChatMessage>>();
  readonly conversations = new Map<string, ConversationSummary>();
  status: ConnectionStatus | null = null;

  constructor(options: ClientOptions = {}) {
    const { storeDir, accounts, ...engineOptions } = options;
    this.storeDir = storeDir ?? mkdtempSync(path.join(tmpdir(), 'duplex-engine-test-'));
    this.accounts = accounts ?? new MemoryAccounts();
    this.engine = new DuplexEngine({
      WebSocket: globalThis.WebSocket,
      fetch: globalThis.fetch,
      openStore: sqliteClientStoreOpener(this.storeDir),
      accounts: this.accounts,
      log: silentLogger,
      ...engineOptions,
    });
    this.engine.onEvent((event) => this.record(event));
  }

  /** A client signed in as `account` through `relayUrl`, and online. */
  static async signedIn(relayUrl: string, account: TestAccount, options: ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(options);
    const result = await client.engine.signIn({ relayUrl, username: account.username, password: account.password });
    if (!result.ok) throw new Error(`sign-in failed: ${result.code} ${result.message}`);
    await client.waitForState('online');
    return client;
  }

  /** The messages of a conversation in the order a UI shows them. */
  messages(conv: string): ChatMessage[] {
    return [...(this.shown.get(conv)?.values() ?? [])].sort(
      (a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity) || a.ts - b.ts,
    );
  }

  waitForState(state: ConnectionStatus['state'], timeoutMs = 15_000): Promise<unknown> {
    return waitFor(() => this.status?.state === state, `${state} (now ${this.status?.state})`, timeoutMs);
  }

  /** Waits until the engine has noticed that its connection is gone (it may
   * be retrying already, so no particular state is waited for). */
  waitForDisconnect(): Promise<unknown> {
    return waitFor(() => this.status?.state !== 'online', 'the connection to drop');
  }

  dispose(): Promise<void> {
    return this.engine.dispose();
  }

  private record(event: DuplexEvent): void {
    this.events.push(event);
    switch (event.type) {
      case 'status':
        this.status = event.status;
        break;
      case 'messages': {
        let byCid = this.shown.get(event.conv);
        if (!byCid) this.shown.set(event.conv, (byCid = new Map()));
        for (const message of event.messages) byCid.set(message.cid, message);
        break;
      }
      case 'message-removed':
        this.shown.get(event.conv)?.delete(event.cid);
        break;
      case 'conversation':
        this.conversations.set(event.conversation.id, event.conversation);
        break;
      case 'conversation-removed':
        this.conversations.delete(event.id);
        break;
    }
  }
}

/** Polls until `check` returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
