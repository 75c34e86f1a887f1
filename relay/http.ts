// The HTTP side of the relay (docs/protocol.md, "HTTP"): accounts (register, login,
// logout, password change, deleting an account and exporting its data), health, metrics, the desktop app's update feed (update-feed.ts),
// and the web client's static files for everything else; and the separate
// metrics listener (--metrics-port), which answers /metrics only. /metrics is
// never public: on the public listener it needs the configured bearer token,
// and without one (or with a metrics listener) it is 404 there. Bodies are
// JSON checked against the protocol's schemas; every error
// is `{"error": {"code", "message"}}` with a fitting status.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  accountDeleteRequestSchema,
  type AuthResponse,
  describeIssues,
  type HttpErrorBody,
  loginRequestSchema,
  PASSWORD_CHANGED,
  passwordChangeRequestSchema,
  registerRequestSchema,
  type User,
  WS_PATH,
} from '../src/shared/protocol/index.ts';
import { deleteAccount } from './account-deletion.ts';
import { writeAccountExport } from './account-export.ts';
import { createAccount, resetPassword } from './accounts.ts';
import { bearerToken, decoyPasswordHash, hashToken, newToken, verifyPassword } from './auth.ts';
import { authenticateBearer } from './bearer-auth.ts';
import type { RelayConfig } from './config.ts';
import type { Fanout } from './fanout.ts';
import { type HashSlots, HashSlotsBusy } from './hash-slots.ts';
import { handleFileRequest, isFilesPath } from './files/http-files.ts';
import type { FileService } from './files/service.ts';
import { HttpError } from './http-error.ts';
import type { Logger } from './log.ts';
import type { RelayMetrics } from './metrics.ts';
import type { RateLimits } from './rate-limit.ts';
import { registrationPolicy } from './registration.ts';
import { lastEntry, requestPath } from './request-path.ts';
import { serveStatic } from './static-files.ts';
import { isFeedPath, serveUpdateFeed } from './update-feed.ts';
import type { RelayStore, SignInDevice, UserWithPassword } from './store/types.ts';
import { SESSION_EXPIRED, type TokenExpiry } from './token-expiry.ts';

export interface HttpDeps {
  config: RelayConfig;
  store: RelayStore;
  fanout: Fanout;
  rateLimits: RateLimits;
  tokenExpiry: TokenExpiry;
  metrics: RelayMetrics;
  log: Logger;
  /** Every password hash runs in one of these (hash-slots.ts). */
  hashSlots: HashSlots;
  files: FileService;
  isShuttingDown(): boolean;
  /** Why this node should get no traffic now (a backing service unreachable for a while), if it should not. */
  unavailable(): string | undefined;
}

type RouteHandler = (deps: HttpDeps, request: IncomingMessage, response: ServerResponse) => Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  handle: RouteHandler;
  /** Still answered while shutting down (health must report it). */
  duringShutdown?: boolean;
}

const ROUTES: Record<string, Route> = {
  '/api/register': { method: 'POST', handle: register },
  '/api/login': { method: 'POST', handle: login },
  '/api/logout': { method: 'POST', handle: logout },
  '/api/password': { method: 'POST', handle: changePassword },
  '/api/account/delete': { method: 'POST', handle: deleteOwnAccount },
  '/api/account/export': { method: 'GET', handle: exportOwnData },
  '/healthz': { method: 'GET', handle: health, duringShutdown: true },
  '/metrics': { method: 'GET', handle: publicMetrics, duringShutdown: true },
};

const METRICS_LISTENER_ROUTES: Record<string, Route> = {
  '/metrics': { method: 'GET', handle: metrics, duringShutdown: true },
};

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** The public listener's requests, upgrades aside. */
export function createRequestHandler(deps: HttpDeps): RequestHandler {
  return handlerFor(deps, ROUTES, respond);
}

/** The metrics listener's requests: /metrics, and 404 for the rest. */
export function createMetricsRequestHandler(deps: HttpDeps): RequestHandler {
  return handlerFor(deps, METRICS_LISTENER_ROUTES, async (_deps, request, response, pathname, route) => {
    if (!route) throw new HttpError(404, 'not_found', 'this address serves /metrics only');
    await respond(deps, request, response, pathname, route);
  });
}

function handlerFor(deps: HttpDeps, routes: Record<string, Route>, responder: typeof respond): RequestHandler {
  return (request, response) => {
    const pathname = requestPath(request.url);
    const route = pathname !== undefined && Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
    const label = routeLabel(pathname, route);
    response.on('finish', () => deps.metrics.httpRequests.inc({ route: label, status: String(response.statusCode) }));
    responder(deps, request, response, pathname, route).catch((error: unknown) => {
      if (!(error instanceof HttpError)) {
        deps.log.error({ err: error, path: pathname }, 'HTTP handler failed');
        error = new HttpError(500, 'internal', 'internal error');
      }
      sendHttpError(response, error as HttpError);
    });
  };
}

/** A bounded label set: known routes by path, the rest in four buckets. */
function routeLabel(pathname: string | undefined, route: Route | undefined): string {
  if (route) return pathname as string;
  if (pathname !== undefined && isFilesPath(pathname)) return 'files';
  if (pathname?.startsWith('/api/')) return 'api_unknown';
  return pathname !== undefined && isFeedPath(pathname) ? 'updates' : 'static';
}

async function respond(
  deps: HttpDeps,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string | undefined,
  route: Route | undefined,
): Promise<void> {
  if (pathname === undefined) throw new HttpError(400, 'invalid', 'bad request target');
  if (route) {
    if (request.method !== route.method) {
      throw new HttpError(405, 'method_not_allowed', `use ${route.method}`, { Allow: route.method });
    }
    if (deps.isShuttingDown() && !route.duringShutdown) {
      throw new HttpError(503, 'shutting_down', 'the relay is shutting down');
    }
    await route.handle(deps, request, response);
    return;
  }
  if (isFilesPath(pathname)) {
    if (deps.isShuttingDown()) throw new HttpError(503, 'shutting_down', 'the relay is shutting down');
    await handleFileRequest(deps.files, request, response, pathname);
    return;
  }
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'not_found', 'no such endpoint');
  if (pathname === WS_PATH) throw new HttpError(426, 'invalid', 'this endpoint needs a WebSocket upgrade', { Upgrade: 'websocket' });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new HttpError(405, 'method_not_allowed', 'use GET', { Allow: 'GET, HEAD' });
  }
  if (isFeedPath(pathname)) {
    await serveUpdateFeed(deps.config.updatesDir, pathname, request, response);
    return;
  }
  await serveStatic(deps.config.webRoot, request, response);
}

// ---- routes ----

async function register(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if ((await registrationPolicy(deps.store, deps.config.registration)).mode === 'closed') {
    request.resume();
    throw new HttpError(403, 'registration_closed', 'this relay does not accept new accounts');
  }
  const body = parseBody(registerRequestSchema, await readJsonBody(request, deps.config.limits.httpBodyBytes));
  const address = clientAddress(request, deps.config.trustProxy);
  refuseWhileLimited((await deps.rateLimits.registrationsByAddress.attempt(address)).retryAfterMs, 'too many registrations');
  const now = Date.now();
  const user = await hashing(deps, () => createAccount(deps.store, body, deps.config.scryptCost, now, deps.config.limits.usernameQuarantineMs));
  if (!user) throw usernameTaken();
  deps.log.info({ user: user.id, username: user.username, address }, 'account created');
  sendJson(response, 201, await issueToken(deps, user, now, { name: body.device ?? '', address }));
}

async function login(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = parseBody(loginRequestSchema, await readJsonBody(request, deps.config.limits.httpBodyBytes));
  const username = body.username.trim().toLowerCase();
  const address = clientAddress(request, deps.config.trustProxy);
  const user = await checkPassword(deps, username, address, body.password);
  if (!user) {
    deps.log.info({ username, address }, 'sign-in failed');
    throw new HttpError(401, 'bad_credentials', 'wrong username or password');
  }
  if (user.disabled) {
    // Said only to whoever knows the password: a guesser learns nothing.
    deps.log.info({ user: user.id, address }, 'sign-in refused: account disabled');
    throw new HttpError(403, 'account_disabled', 'this account is disabled; ask the operator of this relay');
  }
  const { passwordHash: _, disabled: __, ...publicUser } = user;
  sendJson(response, 200, await issueToken(deps, publicUser, Date.now(), { name: body.device ?? '', address }));
}

/**
 * The user's password changed by the user, who proves the current one (a
 * stolen session alone must not be enough), counted against the same limits
 * as sign-ins so that a session cannot be used to guess it. The sign-ins of
 * the user's other devices end with it when asked, their sockets closing at
 * once with 4001 `password changed`.
 */
async function changePassword(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = parseBody(passwordChangeRequestSchema, await readJsonBody(request, deps.config.limits.httpBodyBytes));
  const { user, tokenHash } = await authenticateBearer(deps.store, deps.tokenExpiry, request.headers.authorization);
  const address = clientAddress(request, deps.config.trustProxy);
  if (!(await checkPassword(deps, user.username, address, body.currentPassword))) {
    deps.log.info({ user: user.id, address }, 'password change refused: wrong current password');
    throw new HttpError(403, 'bad_credentials', 'the current password is wrong');
  }
  const ended = await hashing(deps, () =>
    resetPassword(deps.store, user.id, body.newPassword, deps.config.scryptCost, body.signOutOthers ? { allBut: tokenHash } : 'none'),
  );
  for (const revoked of ended) deps.fanout.publish([user.id], { kind: 'revoke', tokenHash: revoked, reason: PASSWORD_CHANGED });
  deps.log.info({ user: user.id, address, signedOut: ended.length }, 'password changed');
  response.writeHead(204, { 'Cache-Control': 'no-store' });
  response.end();
}

/**
 * The token's user deletes their account (docs/protocol.md, "Deleting an
 * account"), proving it with their password as for a password change: a
 * wrong one is 403 and counts as a failed sign-in. The answer goes out once
 * everything is erased; the user's sockets (this device's too) close with
 * 4001 `account deleted`.
 */
async function deleteOwnAccount(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = parseBody(accountDeleteRequestSchema, await readJsonBody(request, deps.config.limits.httpBodyBytes));
  const { user } = await authenticateBearer(deps.store, deps.tokenExpiry, request.headers.authorization);
  const address = clientAddress(request, deps.config.trustProxy);
  if (!(await checkPassword(deps, user.username, address, body.password))) {
    deps.log.info({ user: user.id, address }, 'account deletion refused: wrong password');
    throw new HttpError(403, 'bad_credentials', 'the password is wrong');
  }
  const deleted = await deleteAccount(
    { store: deps.store, fanout: deps.fanout, log: deps.log, eraseFiles: (files) => deps.files.eraseAccountFiles(files) },
    user.id,
    Date.now(),
  );
  // Deleted meanwhile by another request of theirs, or by the operator: the token is gone with it.
  if (!deleted) throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked token', { 'WWW-Authenticate': 'Bearer' });
  response.writeHead(204, { 'Cache-Control': 'no-store' });
  response.end();
}

/** The token's user's data as a ZIP (account-export.ts, docs/protocol.md, "Your data"). */
async function exportOwnData(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  request.resume();
  const { user, tokenHash } = await authenticateBearer(deps.store, deps.tokenExpiry, request.headers.authorization);
  deps.log.info({ user: user.id }, 'data export');
  await writeAccountExport({ store: deps.store, files: deps.files }, user, tokenHash, response, Date.now());
}

/**
 * Checks a user's password; the user when it is right, undefined when it is
 * wrong or the user unknown. Each attempt counts as failed for the username
 * and the address before its hash, in the same step as the check
 * (WindowLimiter.attempt), and is taken back if it turns out right or is not
 * judged: checking after the ~100 ms hash let any number of parallel
 * attempts through before the first one counted. Over the limit: 429 with
 * Retry-After, even for the right password.
 */
async function checkPassword(
  deps: HttpDeps,
  username: string,
  address: string,
  password: string,
): Promise<UserWithPassword | undefined> {
  const { failedLoginsByUsername, failedLoginsByAddress } = deps.rateLimits;
  const attempts = await Promise.all([failedLoginsByUsername.attempt(username), failedLoginsByAddress.attempt(address)]);
  const refund = () => attempts.forEach((attempt) => attempt.undo());
  const retryAfterMs = Math.max(...attempts.map((attempt) => attempt.retryAfterMs));
  if (retryAfterMs > 0) refund();
  refuseWhileLimited(retryAfterMs, 'too many failed sign-ins');
  let verdict: { user: UserWithPassword; matches: boolean } | undefined;
  try {
    verdict = await hashing(deps, async () => {
      const user = await deps.store.userByUsername(username);
      // An unknown user costs the same hash as a wrong password.
      const hash = user?.passwordHash ?? (await decoyPasswordHash(deps.config.scryptCost));
      const matches = await verifyPassword(password, hash);
      return user && { user, matches };
    });
  } catch (error) {
    // Not judged (the relay was busy or failed): no attempt to count.
    refund();
    throw error;
  }
  if (!verdict?.matches) return undefined;
  refund();
  return verdict.user;
}

async function logout(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  request.resume();
  const token = bearerToken(request.headers.authorization);
  const tokenHash = token === undefined ? undefined : hashToken(token);
  const owner = tokenHash === undefined ? undefined : await deps.store.tokenOwner(tokenHash);
  const userId = tokenHash === undefined ? undefined : await deps.store.revokeToken(tokenHash);
  if (tokenHash === undefined || userId === undefined) {
    throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked token');
  }
  // Deleted all the same: an expired token is as good as signed out.
  if (owner && deps.tokenExpiry.isExpired(owner.lastUsedAt, Date.now())) {
    throw new HttpError(401, 'unauthorized', SESSION_EXPIRED);
  }
  // Sockets opened with this token close wherever they are connected.
  deps.fanout.publish([userId], { kind: 'revoke', tokenHash });
  deps.log.info({ user: userId }, 'signed out');
  response.writeHead(204, { 'Cache-Control': 'no-store' });
  response.end();
}

async function health(deps: HttpDeps, _request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (deps.isShuttingDown()) throw new HttpError(503, 'shutting_down', 'the relay is shutting down');
  const unavailable = deps.unavailable();
  if (unavailable !== undefined) throw new HttpError(503, 'unavailable', unavailable);
  sendJson(response, 200, { ok: true });
}

/** On the public listener, /metrics exists only with a token and without a metrics listener. */
async function publicMetrics(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (deps.config.metricsToken === undefined || deps.config.metricsPort !== undefined) {
    throw new HttpError(404, 'not_found', 'no such endpoint');
  }
  await metrics(deps, request, response);
}

async function metrics(deps: HttpDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const expected = deps.config.metricsToken;
  if (expected !== undefined && !sameSecret(bearerToken(request.headers.authorization), expected)) {
    throw new HttpError(401, 'unauthorized', 'metrics need the configured bearer token', { 'WWW-Authenticate': 'Bearer' });
  }
  const text = await deps.metrics.registry.metrics();
  response.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType, 'Cache-Control': 'no-store' });
  response.end(text);
}

// ---- helpers ----

async function issueToken(deps: HttpDeps, user: User, now: number, device: SignInDevice): Promise<AuthResponse> {
  const token = newToken();
  await deps.store.addToken(hashToken(token), user.id, now, device);
  return { user, token };
}

/** Runs work that hashes a password in a hash slot; no slot in time is 503 with Retry-After. */
async function hashing<T>(deps: HttpDeps, work: () => Promise<T>): Promise<T> {
  try {
    return await deps.hashSlots.run(work);
  } catch (error) {
    if (!(error instanceof HashSlotsBusy)) throw error;
    deps.metrics.passwordChecksRefused.inc();
    throw new HttpError(503, 'busy', 'the relay is busy checking passwords; retry in a moment', { 'Retry-After': '1' });
  }
}

/** Compares in constant time, so that the answer's timing tells nothing about the token. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const [a, b] = [createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest()];
  return timingSafeEqual(a, b);
}

function usernameTaken(): HttpError {
  return new HttpError(409, 'taken', 'this username is taken');
}

function refuseWhileLimited(retryAfterMs: number, message: string): void {
  if (retryAfterMs <= 0) return;
  throw new HttpError(429, 'rate_limited', `${message}; retry later`, {
    'Retry-After': String(Math.ceil(retryAfterMs / 1000)),
  });
}

async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    request.resume();
    throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  }
  const tooLarge = () => new HttpError(413, 'payload_too_large', `body larger than ${limit} bytes`, { Connection: 'close' });
  if (Number(request.headers['content-length']) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid', 'body is not valid JSON');
  }
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpError(400, 'invalid', describeIssues(result.error));
  return result.data;
}

/** The client's address; behind a trusted proxy, the last X-Forwarded-For entry (the one the proxy added). */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const last = lastEntry(request.headers['x-forwarded-for']);
    if (last) return last;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function sendHttpError(response: ServerResponse, error: HttpError): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body: HttpErrorBody = { error: { code: error.code, message: error.message } };
  sendJson(response, error.status, body, error.headers);
}
