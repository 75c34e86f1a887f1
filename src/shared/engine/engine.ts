// DuplexEngine: the client engine that both the desktop app's main process
// and the web client run, implementing DuplexApi for the UI. The desktop
// preload forwards each DuplexApi call over IPC to it; the web client calls it
// in the page. The host injects everything that differs between them: the
// WebSocket class and fetch, the store, and where the session token lives.
//
// The engine itself only handles the account: sign-in, registration and
// sign-out over HTTP, and the one UserSession (session.ts) of the signed-in
// user, whose store is opened per user id. Every DuplexApi call goes through
// the method table (api-methods.ts): its arguments are validated there, and
// the methods the table marks `session` go straight to the UserSession, with
// no method of their own here.
import type {
  AccountDeletionResult,
  AuthResult,
  ConnectionStatus,
  DuplexApi,
  DuplexEvent,
  RegisterRequest,
  Account,
  PasswordChange,
  PasswordChangeResult,
  SignInRequest,
  StopReason,
  Unsubscribe,
} from '../api.ts';
import { duplexArgumentSchemas, type DuplexMethod, duplexMethods, parseArguments, type SessionMethod } from '../api-methods.ts';
import type { User } from '../protocol/index.ts';
import type { ClientStore, ClientStoreOpener } from '../store/client-store.ts';
import { AuthClient, type AuthOutcome, type FetchFunction } from './auth-client.ts';
import { ACCOUNT_DELETED_TEXT, type WebSocketClass } from './connection.ts';
import { consoleLogger, type Logger } from './log.ts';
import { normalizeRelayUrls } from './relay-url.ts';
import { type StoredAccount, UserSession } from './session.ts';
import { DEFAULT_TIMING, type EngineTiming } from './timing.ts';

export type { StoredAccount } from './session.ts';


/** Where the host keeps the signed-in account (the token above all): the
 * desktop app encrypts it with safeStorage, the web client keeps it in
 * IndexedDB or localStorage. */
export interface AccountStorage {
  load(): Promise<StoredAccount | null>;
  save(account: StoredAccount): Promise<void>;
  clear(): Promise<void>;
}

export interface EngineOptions {
  /** Electron's net.WebSocket, the browser's WebSocket, or Node's. */
  WebSocket: WebSocketClass;
  /** Electron's net.fetch, or the page's fetch. */
  fetch: FetchFunction;
  /** Opens the store of one user (one database per user). */
  openStore: ClientStoreOpener;
  accounts: AccountStorage;
  /** Relays to use when sign-in names none (the web client: its own origin),
   * tried in turn. */
  defaultRelayUrls?: readonly string[];
  /** How this device appears in the user's list of devices: "Duplex on
   * Linux" from the desktop app, "Chromium on Linux" from the web client. */
  deviceName?: string;
  timing?: Partial<EngineTiming>;
  /** For reproducible jitter in tests. */
  random?: () => number;
  log?: Logger;
}

const NOT_RUNNING: ConnectionStatus = { state: 'offline', nextRetryAt: null, lastCloseReason: null, stopped: null, relayUrl: null };

/** The methods the session answers, as a base class: the engine's
 * constructor fills them in from the method table. */
const SessionMethods = class {} as new () => Pick<DuplexApi, SessionMethod>;

type AnyMethod = (...args: unknown[]) => unknown;

export class DuplexEngine extends SessionMethods implements DuplexApi {
  private readonly options: EngineOptions;
  private readonly timing: EngineTiming;
  private readonly log: Logger;
  private readonly auth: AuthClient;
  private readonly listeners = new Set<(event: DuplexEvent) => void>();
  private session: UserSession | null = null;
  /** The status while no session runs: never signed in, or signed out. */
  private idleStatus: ConnectionStatus = NOT_RUNNING;
  private lastStatusJson = '';
  /** Sign-in, sign-out and the like, one at a time. */
  private accountWork: Promise<unknown> = Promise.resolve();

  constructor(options: EngineOptions) {
    super();
    this.options = options;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.log = options.log ?? consoleLogger;
    this.auth = new AuthClient(options.fetch, this.timing.httpTimeoutMs);
    this.dispatchThroughTable();
  }

  // ---- for the host ----

  /** Resumes the saved account, if any, and connects. */
  start(): Promise<void> {
    return this.exclusive(async () => {
      const account = await this.options.accounts.load();
      if (!account) return;
      // The host's storage is outside input: relay URLs that no sign-in
      // could have saved (edited by hand, say) end the account, not the app.
      try {
        account.relayUrls = normalizeRelayUrls(account.relayUrls);
      } catch (error) {
        this.log('warn', `The saved account's relay URLs are unusable; sign in again: ${(error as Error).message}`);
        await this.options.accounts.clear();
        return;
      }
      await this.begin(account);
    });
  }

  /** The machine resumed from sleep or the network came back. */
  wake(): void {
    this.session?.wake();
  }

  /** Disconnects and closes the store; the account stays saved. */
  dispose(): Promise<void> {
    return this.exclusive(() => this.end());
  }

  // ---- account ----

  async getAccount(): Promise<Account | null> {
    return this.currentAccount();
  }

  signIn(request: SignInRequest): Promise<AuthResult> {
    return this.authenticate(request, (urls) =>
      this.auth.signIn(urls, { username: request.username, password: request.password, device: this.options.deviceName }),
    );
  }

  register(request: RegisterRequest): Promise<AuthResult> {
    const displayName = request.displayName?.trim();
    return this.authenticate(request, (urls) =>
      this.auth.register(urls, {
        username: request.username,
        password: request.password,
        device: this.options.deviceName,
        ...(displayName ? { displayName } : {}),
      }),
    );
  }

  signOut(): Promise<void> {
    return this.exclusive(async () => {
      const session = this.session;
      if (!session) return;
      // The socket closes before the token is revoked, so that the relay's
      // 4001 for the revoked token is never mistaken for being thrown out.
      await this.finish('signed_out', null);
      await this.auth.signOut(session.nodes, session.account.token);
    });
  }

  /** Over HTTP with this session's token; answered with a result like sign-in. */
  async changePassword(change: PasswordChange): Promise<PasswordChangeResult> {
    const session = this.active();
    return this.auth.changePassword(session.nodes, session.account.token, change);
  }

  /**
   * Over HTTP with this session's token. Once the relay has erased the
   * account, this device is signed out and forgets it, as the relay's 4001
   * `account deleted` would have it anyway.
   */
  async deleteAccount(password: string): Promise<AccountDeletionResult> {
    const session = this.active();
    const outcome = await this.auth.deleteAccount(session.nodes, session.account.token, password);
    if (outcome.ok) {
      await this.exclusive(async () => {
        if (this.session === session) await this.finish('signed_out', ACCOUNT_DELETED_TEXT);
      });
    }
    return outcome;
  }

  async downloadMyData(): Promise<Uint8Array> {
    const session = this.active();
    return this.auth.exportData(session.nodes, session.account.token);
  }

  // ---- connection ----

  async getStatus(): Promise<ConnectionStatus> {
    return this.status();
  }

  async retryNow(): Promise<void> {
    this.session?.retryNow();
  }

  // ---- events ----

  onEvent(listener: (event: DuplexEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- inside ----

  /** Makes every DuplexApi method validate its arguments against the method
   * table first (a rejection, like every other failure, when they do not
   * fit), then answer: the engine's own method, or the signed-in session's
   * (async, so that "not signed in" is a rejection too). */
  private dispatchThroughTable(): void {
    const methods = this as unknown as Record<DuplexMethod, AnyMethod>;
    for (const method of Object.keys(duplexMethods) as DuplexMethod[]) {
      const answer: AnyMethod =
        duplexMethods[method].answeredBy === 'session'
          ? (...args) => (this.active() as unknown as Record<DuplexMethod, AnyMethod>)[method](...args)
          : methods[method].bind(this);
      methods[method] = async (...args) => answer(...parseArguments(duplexArgumentSchemas, method, args));
    }
  }

  private emit(event: DuplexEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log('error', `A "${event.type}" event listener threw`, error);
      }
    }
  }

  private status(): ConnectionStatus {
    return this.session?.status() ?? this.idleStatus;
  }

  /** Emits the status when it differs from the last one emitted. */
  private statusChanged(): void {
    const status = this.status();
    const json = JSON.stringify(status);
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    this.emit({ type: 'status', status });
  }

  private currentAccount(): Account | null {
    const account = this.session?.account;
    return account ? { user: account.user, relayUrl: account.relayUrls[0]!, relayUrls: [...account.relayUrls] } : null;
  }

  private active(): UserSession {
    if (!this.session) throw new Error('Not signed in');
    return this.session;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.accountWork.then(work);
    this.accountWork = result.catch(() => {});
    return result;
  }

  /** Signs in or registers through the request's relay URLs (the defaults
   * when it names none), each node tried in turn while unreachable. */
  private authenticate(
    request: SignInRequest,
    call: (relayUrls: string[]) => Promise<AuthOutcome>,
  ): Promise<AuthResult> {
    return this.exclusive(async (): Promise<AuthResult> => {
      const given = [request.relayUrl ?? '', ...(request.otherRelayUrls ?? [])].filter((url) => url.trim() !== '');
      let relayUrls: string[];
      try {
        relayUrls = normalizeRelayUrls(given.length > 0 ? given : (this.options.defaultRelayUrls ?? []));
      } catch (error) {
        return { ok: false, code: 'invalid', message: (error as Error).message };
      }
      const outcome = await call(relayUrls);
      if (!outcome.ok) return outcome;
      // The relay that answered goes first; the others stay as fallbacks.
      const account: StoredAccount = {
        user: outcome.user,
        token: outcome.token,
        relayUrls: [outcome.relayUrl, ...relayUrls.filter((url) => url !== outcome.relayUrl)],
      };
      try {
        await this.begin(account);
      } catch (error) {
        this.log('error', 'Could not open the local store', error);
        return { ok: false, code: 'internal', message: `Could not open the local data: ${(error as Error).message}` };
      }
      return { ok: true, account: this.currentAccount()! };
    });
  }

  /** Opens the user's store and session, saves the account, connects. */
  private async begin(account: StoredAccount): Promise<void> {
    await this.end();
    const store = await this.options.openStore(account.user.id);
    let session: UserSession;
    try {
      session = await this.openSession(account, store);
    } catch (error) {
      await store.close();
      throw error;
    }
    await this.options.accounts.save(account);
    this.session = session;
    this.emit({ type: 'account', account: this.currentAccount() });
    session.start();
    this.statusChanged();
  }

  /** A session whose events count only while it is the current one, so a
   * session being closed can never speak for its successor. */
  private async openSession(account: StoredAccount, store: ClientStore): Promise<UserSession> {
    const session: UserSession = await UserSession.open({
      account,
      store,
      WebSocket: this.options.WebSocket,
      fetch: this.options.fetch,
      timing: this.timing,
      random: this.options.random ?? Math.random,
      log: this.log,
      emit: (event) => {
        if (this.session === session) this.emit(event);
      },
      statusChanged: () => {
        if (this.session === session) this.statusChanged();
      },
      stopped: (reason) => this.stoppedByRelay(session, reason),
      profileChanged: (user) => this.profileChanged(session, user),
    });
    return session;
  }

  private async end(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    await session.close();
  }

  /** Ends the session and forgets the account: signed out by the user or by
   * the relay (4001). */
  private async finish(stopped: StopReason, lastCloseReason: string | null): Promise<void> {
    const token = this.session?.account.token;
    await this.end();
    // The storage may be shared (the web client's tabs share localStorage):
    // forget the account only if it is still this session's, not one that
    // another tab has signed in since.
    const saved = await this.options.accounts.load().catch(() => null);
    if (saved === null || saved.token === token) await this.options.accounts.clear();
    this.idleStatus = { ...NOT_RUNNING, lastCloseReason, stopped };
    this.emit({ type: 'account', account: null });
    this.statusChanged();
  }

  /** The signed-in user's profile changed: the saved account and the UI follow. */
  private profileChanged(session: UserSession, user: User): void {
    this.exclusive(async () => {
      if (this.session !== session) return;
      session.account.user = user;
      await this.options.accounts.save(session.account);
      this.emit({ type: 'account', account: this.currentAccount() });
    }).catch((error: unknown) => this.log('error', 'Could not save the changed profile', error));
  }

  private stoppedByRelay(session: UserSession, reason: StopReason): void {
    // 4002: the user stays signed in with their data in view; the status
    // says an update is needed. 4001: the token is dead, so is the session.
    if (reason !== 'signed_out') return;
    this.exclusive(async () => {
      if (this.session !== session) return;
      await this.finish('signed_out', session.status().lastCloseReason);
    }).catch((error: unknown) => this.log('error', 'Could not end the session the relay refused', error));
  }
}
