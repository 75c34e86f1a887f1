// The relay's HTTP account API (docs/protocol.md, "HTTP") through the fetch the
// host injects: net.fetch in Electron's main process (system proxies, OS trust
// store), the page's fetch on the web. Every outcome is a value, never a
// rejection, because the sign-in screen shows each failure with its own text.
import type { AuthErrorCode } from '../api.ts';
import {
  authResponseSchema,
  httpErrorBodySchema,
  registerRequestSchema,
  type User,
  describeIssues,
} from '../protocol/index.ts';

export type FetchFunction = typeof fetch;

export type AuthOutcome =
  | { ok: true; user: User; token: string; relayUrl: string }
  | { ok: false; code: AuthErrorCode; message: string };

export interface Credentials {
  username: string;
  password: string;
}

const PASSED_THROUGH_CODES: ReadonlySet<string> = new Set<AuthErrorCode>([
  'bad_credentials',
  'taken',
  'invalid',
  'registration_closed',
  'rate_limited',
  'busy',
]);

export class AuthClient {
  private readonly fetch: FetchFunction;
  private readonly timeoutMs: number;

  constructor(fetchFunction: FetchFunction, timeoutMs: number) {
    this.fetch = fetchFunction;
    this.timeoutMs = timeoutMs;
  }

  /** Tries each relay in turn until one answers. */
  signIn(relayUrls: readonly string[], credentials: Credentials): Promise<AuthOutcome> {
    return this.firstAnswer(relayUrls, '/api/login', credentials);
  }

  register(relayUrls: readonly string[], request: Credentials & { displayName?: string }): Promise<AuthOutcome> {
    const checked = registerRequestSchema.safeParse(request);
    if (!checked.success) return Promise.resolve({ ok: false, code: 'invalid', message: describeIssues(checked.error) });
    return this.firstAnswer(relayUrls, '/api/register', checked.data);
  }

  /** Revokes the token on the relay. Best effort: signing out locally must
   * not depend on the relay being reachable. */
  async signOut(relayUrl: string, token: string): Promise<void> {
    try {
      await this.post(relayUrl, '/api/logout', undefined, token);
    } catch {
      // Unreachable or refused: the token is dropped locally all the same.
    }
  }

  private async firstAnswer(relayUrls: readonly string[], path: string, body: object): Promise<AuthOutcome> {
    let outcome: AuthOutcome = { ok: false, code: 'unreachable', message: 'No relay URL is configured' };
    for (const relayUrl of relayUrls) {
      outcome = await this.authenticate(relayUrl, path, body);
      if (outcome.ok || outcome.code !== 'unreachable') return outcome;
    }
    return outcome;
  }

  private async authenticate(relayUrl: string, path: string, body: object): Promise<AuthOutcome> {
    let response: Response;
    try {
      response = await this.post(relayUrl, path, body);
    } catch {
      return { ok: false, code: 'unreachable', message: `Cannot reach the relay at ${relayUrl}` };
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok) {
      const parsed = authResponseSchema.safeParse(payload);
      if (parsed.success) return { ok: true, user: parsed.data.user, token: parsed.data.token, relayUrl };
      return { ok: false, code: 'internal', message: 'The relay sent an answer this app does not understand' };
    }
    const error = httpErrorBodySchema.safeParse(payload);
    if (!error.success) return { ok: false, code: 'internal', message: `The relay answered HTTP ${response.status}` };
    const { code, message } = error.data.error;
    if (code === 'rate_limited' || code === 'busy') {
      const retryAfter = response.headers.get('Retry-After');
      const wait = retryAfter ? ` Try again in ${retryAfter} s.` : '';
      return { ok: false, code, message: `${code === 'busy' ? 'The relay is busy.' : 'Too many attempts.'}${wait}` };
    }
    return { ok: false, code: PASSED_THROUGH_CODES.has(code) ? (code as AuthErrorCode) : 'internal', message };
  }

  private post(relayUrl: string, path: string, body: object | undefined, token?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    // Called as a plain function, not as a method of this object: a browser's
    // fetch throws "Illegal invocation" when `this` is anything but the window.
    const fetchFunction = this.fetch;
    return fetchFunction(relayUrl + path, {
      method: 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}
