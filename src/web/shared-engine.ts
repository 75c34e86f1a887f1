// One engine per browser profile (docs/engine.md, "One engine per browser
// profile"): the tabs of the web client elect one leader with a Web Lock;
// only the leader runs the DuplexEngine (and so holds the one WebSocket and
// the IndexedDB store), and the others reach it over a BroadcastChannel:
// their DuplexApi calls go to it and its events come back to every tab.
//
// The lock is held for the life of the leading tab; when that tab closes the
// browser releases it and the next waiting tab takes over at once, starting
// its own engine on the same IndexedDB store, so the outbox carries over.
// Calls a follower had in flight to the old leader are sent again to the new
// one, except those that would do a thing twice (send, createGroup), which
// fail with a clear error instead.
//
// Each tab also reports where its user is looking (focused, which chat is
// open), so that the leader's notifications follow the rules for the whole
// profile (web-notifications.ts).
import type { DuplexApi, DuplexEvent, Unsubscribe } from '../shared/api.ts';
import { type DuplexMethod, duplexMethods } from '../shared/api-methods.ts';

/** The engine as the leader runs it. */
export type LeaderEngine = DuplexApi & { start(): Promise<void>; wake(): void };

export interface TabView {
  focused: boolean;
  openConversation: string | null;
}

type TabMessage =
  /** This tab runs the engine now. */
  | { kind: 'leader'; tab: string }
  /** A new tab asks who leads. */
  | { kind: 'hello'; tab: string }
  | { kind: 'call'; tab: string; to: string; id: number; method: DuplexMethod; args: unknown[] }
  | { kind: 'answer'; to: string; id: number; ok: true; value: unknown }
  | { kind: 'answer'; to: string; id: number; ok: false; error: { name: string; message: string; code?: unknown } }
  | { kind: 'event'; event: DuplexEvent }
  /** Where a tab's user looks; null when the tab goes away. */
  | { kind: 'view'; tab: string; view: TabView | null };

export interface SharedEngineOptions {
  /** Builds this tab's engine when it becomes the leader. */
  createEngine(): LeaderEngine;
  /** Called once this tab leads, with its running engine. */
  onLead?(engine: LeaderEngine): void;
  locks: LockManager;
  channel: BroadcastChannel;
  /** This tab's id (unique per tab). */
  tab: string;
}

/** Calls that must not run twice: a retry after a leader change could. */
const NOT_REPEATABLE: ReadonlySet<DuplexMethod> = new Set(['send', 'createGroup']);
const LOCK_NAME = 'duplex-engine';

interface PendingCall {
  method: DuplexMethod;
  args: unknown[];
  /** The leader it was sent to, or null while none is known. */
  sentTo: string | null;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

const SharedMethods = class {} as new () => Omit<DuplexApi, 'onEvent'>;

export class SharedEngine extends SharedMethods implements DuplexApi {
  private readonly options: SharedEngineOptions;
  private readonly listeners = new Set<(event: DuplexEvent) => void>();
  private readonly pending = new Map<number, PendingCall>();
  private readonly views = new Map<string, TabView>();
  private engine: LeaderEngine | null = null;
  private leader: string | null = null;
  private nextId = 1;
  private ownView: TabView = { focused: false, openConversation: null };
  private leaderKnown!: () => void;
  /** Resolves once some tab leads (this one, started, or another). */
  readonly ready = new Promise<void>((resolve) => {
    this.leaderKnown = resolve;
  });

  constructor(options: SharedEngineOptions) {
    super();
    this.options = options;
    const methods = this as unknown as Record<DuplexMethod, AnyMethod>;
    for (const method of Object.keys(duplexMethods) as DuplexMethod[]) {
      methods[method] = (...args) => this.call(method, args);
    }
    options.channel.addEventListener('message', (event: MessageEvent<TabMessage>) => this.receive(event.data));
  }

  /** Joins the profile's tabs: asks who leads, and queues for the lock. */
  start(): void {
    this.post({ kind: 'hello', tab: this.options.tab });
    void this.options.locks.request(LOCK_NAME, async () => {
      await this.lead();
      // Held until the tab goes away.
      await new Promise<never>(() => {});
    });
  }

  /** Whether this tab runs the engine. */
  get isLeader(): boolean {
    return this.engine !== null;
  }

  wake(): void {
    this.engine?.wake();
  }

  onEvent(listener: (event: DuplexEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Where this tab's user looks (its focus, its open chat). */
  setView(view: TabView): void {
    this.ownView = view;
    if (this.isLeader) this.views.set(this.options.tab, view);
    else this.post({ kind: 'view', tab: this.options.tab, view });
  }

  /** This tab is going away: the leader forgets its view. */
  closeTab(): void {
    if (!this.isLeader) this.post({ kind: 'view', tab: this.options.tab, view: null });
  }

  /** The tab the user is looking at, if any (known to the leader only). */
  focusedView(): TabView | null {
    for (const view of this.views.values()) if (view.focused) return view;
    return null;
  }

  private call(method: DuplexMethod, args: unknown[]): Promise<unknown> {
    const engine = this.engine;
    if (engine) return (engine as unknown as Record<DuplexMethod, AnyMethod>)[method](...args);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { method, args, sentTo: null, resolve, reject });
      if (this.leader !== null) this.sendCall(id);
    });
  }

  private sendCall(id: number): void {
    const call = this.pending.get(id)!;
    call.sentTo = this.leader;
    this.post({ kind: 'call', tab: this.options.tab, to: this.leader!, id, method: call.method, args: call.args });
  }

  /** A new leader: calls sent to the old one go again, or fail if they must not. */
  private leaderChanged(): void {
    for (const [id, call] of this.pending) {
      if (call.sentTo !== null && NOT_REPEATABLE.has(call.method)) {
        this.pending.delete(id);
        call.reject(new Error('The tab that ran Duplex closed before answering: try again.'));
      } else if (this.engine) {
        this.pending.delete(id);
        this.call(call.method, call.args).then(call.resolve, call.reject);
      } else {
        this.sendCall(id);
      }
    }
  }

  private async lead(): Promise<void> {
    const engine = this.options.createEngine();
    engine.onEvent((event) => {
      this.deliver(event);
      this.post({ kind: 'event', event });
    });
    await engine.start().catch((error: unknown) => console.error('Duplex: could not resume the saved account', error));
    this.engine = engine;
    this.leader = this.options.tab;
    this.views.clear();
    this.views.set(this.options.tab, this.ownView);
    this.options.onLead?.(engine);
    this.post({ kind: 'leader', tab: this.options.tab });
    this.leaderChanged();
    this.leaderKnown();
  }

  private receive(message: TabMessage): void {
    switch (message.kind) {
      case 'hello':
        if (this.isLeader) this.post({ kind: 'leader', tab: this.options.tab });
        break;
      case 'leader':
        if (this.isLeader || message.tab === this.leader) break;
        this.leader = message.tab;
        this.post({ kind: 'view', tab: this.options.tab, view: this.ownView });
        this.leaderChanged();
        this.leaderKnown();
        break;
      case 'call':
        if (message.to === this.options.tab && this.engine) void this.answer(message);
        break;
      case 'answer': {
        if (message.to !== this.options.tab) break;
        const call = this.pending.get(message.id);
        if (!call) break;
        this.pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(Object.assign(new Error(message.error.message), message.error));
        break;
      }
      case 'event':
        if (!this.isLeader) this.deliver(message.event);
        break;
      case 'view':
        if (!this.isLeader) break;
        if (message.view) this.views.set(message.tab, message.view);
        else this.views.delete(message.tab);
        break;
    }
  }

  private async answer(call: Extract<TabMessage, { kind: 'call' }>): Promise<void> {
    const engine = this.engine as unknown as Record<DuplexMethod, AnyMethod>;
    try {
      const value = await engine[call.method](...call.args);
      this.post({ kind: 'answer', to: call.tab, id: call.id, ok: true, value });
    } catch (error) {
      const { name, message, code } = error as Error & { code?: unknown };
      this.post({ kind: 'answer', to: call.tab, id: call.id, ok: false, error: { name, message: String(message), code } });
    }
  }

  private deliver(event: DuplexEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`Duplex: a "${event.type}" event listener threw`, error);
      }
    }
  }

  private post(message: TabMessage): void {
    this.options.channel.postMessage(message);
  }
}
