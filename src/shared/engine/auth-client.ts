// The relay's HTTP account API (docs/protocol.md, "HTTP": sign-in, registration,
// sign-out, the password, deleting the account, the data export) through the fetch the
// host injects: net.fetch in Electron's main process (system proxies, OS trust
// store), the page's fetch on the web. Every outcome is a value, never a
// rejection, because the sign-in screen shows each failure with its own text.
import type { z } from 'zod';
import type { AuthErrorCode, AuthFailure } from '../api.ts';
import type { RelayNodes } from './relay-nodes.ts';
import {
  accountDeleteRequestSchema,
  authResponseSchema,
  deviceNameSchema,
  httpErrorBodySchema,
  type PasswordChangeRequest,
  passwordChangeRequestSchema,
  registerRequestSchema,
  type User,
  describeIssues,
} from '../protocol/index.ts';

export type FetchFunction = typeof fetch;

export type AuthOutcome = { ok: true; user: User; token: string; relayUrl: string } | AuthFailure;

/** A call that answers nothing but whether it worked. */
export type Outcome = { ok: true } | AuthFailure;

/** The data export: a ZIP of the user's data, at most this long in coming (it holds their files). */
const EXPORT_TIMEOUT_MS = 10 * 60_000;

export interface Credentials {
  username: string;
  password: string;
  /** The name of this device in the user's list of devices ("Duplex on Linux"). */
  device?: string;
}

const PASSED_THROUGH_CODES: ReadonlySet<string> = new Set<AuthErrorCode>([
  'bad_credentials',
  'taken',
  'invalid',
  'registration_closed',
  'rate_limited',
  'busy',
  'account_disabled',
  'unauthorized',
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
    return this.firstAnswer(relayUrls, '/api/login', { ...credentials, device: checkedDeviceName(credentials.device) });
  }

  register(relayUrls: readonly string[], request: Credentials & { displayName?: string }): Promise<AuthOutcome> {
    const checked = registerRequestSchema.safeParse({ ...request, device: checkedDeviceName(request.device) });
    if (!checked.success) return Promise.resolve({ ok: false, code: 'invalid', message: describeIssues(checked.error) });
    return this.firstAnswer(relayUrls, '/api/register', checked.data);
  }

  /** Revokes the token on the relay. Best effort: signing out locally must
   * not depend on the relay being reachable. */
  async signOut(nodes: RelayNodes, token: string): Promise<void> {
    try {
      await nodes.fetch('/api/logout', postInit(undefined, token), this.timeoutMs);
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
      return unreachable(relayUrl);
    }
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok) {
      const parsed = authResponseSchema.safeParse(payload);
      if (parsed.success) return { ok: true, user: parsed.data.user, token: parsed.data.token, relayUrl };
      return { ok: false, code: 'internal', message: 'The relay sent an answer this app does not understand' };
    }
    return failureOf(response, payload);
  }

  /** Changes the password of the signed-in user (docs/protocol.md, "Changing the password"). */
  changePassword(nodes: RelayNodes, token: string, request: PasswordChangeRequest): Promise<Outcome> {
    return this.postForOutcome(nodes, '/api/password', passwordChangeRequestSchema.safeParse(request), token);
  }

  /** Deletes the signed-in user's account (docs/protocol.md, "Deleting an account"). */
  deleteAccount(nodes: RelayNodes, token: string, password: string): Promise<Outcome> {
    return this.postForOutcome(nodes, '/api/account/delete', accountDeleteRequestSchema.safeParse({ password }), token);
  }

  /** Posts a body checked against its schema (`invalid` without asking the relay when it does not fit); whether it worked. */
  private async postForOutcome(
    nodes: RelayNodes,
    path: string,
    checked: { success: true; data: object } | { success: false; error: z.ZodError },
    token: string,
  ): Promise<Outcome> {
    if (!checked.success) return { ok: false, code: 'invalid', message: describeIssues(checked.error) };
    let response: Response;
    try {
      response = await nodes.fetch(path, postInit(checked.data, token), this.timeoutMs);
    } catch {
      return unreachable(nodes.current);
    }
    if (response.ok) return { ok: true };
    return failureOf(response, await response.json().catch(() => undefined));
  }

  /** The user's data as a ZIP (docs/protocol.md, "Your data"); an Error with the relay's words when it is not to be had. */
  async exportData(nodes: RelayNodes, token: string): Promise<Uint8Array> {
    const response = await nodes.fetch('/api/account/export', { headers: { Authorization: `Bearer ${token}` } }, EXPORT_TIMEOUT_MS).catch(() => {
      throw new Error(unreachable(nodes.current).message);
    });
    if (!response.ok) throw new Error((await failureOf(response, await response.json().catch(() => undefined))).message);
    return new Uint8Array(await response.arrayBuffer());
  }

  private post(relayUrl: string, path: string, body: object): Promise<Response> {
    // Called as a plain function, not as a method of this object: a browser's
    // fetch throws "Illegal invocation" when `this` is anything but the window.
    const fetchFunction = this.fetch;
    return fetchFunction(relayUrl + path, { ...postInit(body), signal: AbortSignal.timeout(this.timeoutMs) });
  }
}

/** A POST of `body` as JSON (none when undefined), with the session token if given. */
function postInit(body: object | undefined, token?: string): RequestInit {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) };
}

/** The device name as the relay takes it; a host's name it would refuse (too
 * long, say) is left out rather than fail the sign-in. */
function checkedDeviceName(name: string | undefined): string | undefined {
  const checked = deviceNameSchema.safeParse(name);
  return checked.success ? checked.data : undefined;
}

function unreachable(relayUrl: string): AuthFailure {
  return { ok: false, code: 'unreachable', message: `Cannot reach the relay at ${relayUrl}` };
}

/** What an error answer of the relay's HTTP API means for the user. */
async function failureOf(response: Response, payload: unknown): Promise<AuthFailure> {
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
