// `hello`: authenticate the socket by its token (refused when unknown,
// revoked or expired: token-expiry.ts), register it (the per-user socket cap
// applies here), then run the session start. The protocol version
// is checked earlier, by the dispatcher, because it comes before the token
// and before the frame's shape.
import { CLOSE_CODES, type HelloFrame } from '../../src/shared/protocol/index.ts';
import { hashToken } from '../auth.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { SESSION_EXPIRED } from '../token-expiry.ts';
import { synchronise } from '../sync.ts';

export async function handleHello(ctx: RelayContext, session: Session, frame: HelloFrame): Promise<void> {
  try {
    const tokenHash = hashToken(frame.token);
    const owner = await ctx.store.tokenOwner(tokenHash);
    if (session.isClosed) return;
    if (!owner) {
      session.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    const now = Date.now();
    if (ctx.tokenExpiry.isExpired(owner.lastUsedAt, now)) {
      // Refused all the same when the delete fails: expiry is decided by the time.
      await ctx.store.revokeToken(tokenHash).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not delete an expired token'));
      ctx.log.info({ session: session.id, user: owner.user.id }, 'token expired, refusing');
      session.close(CLOSE_CODES.unauthorized, SESSION_EXPIRED);
      return;
    }
    const { user } = owner;
    // Best effort: a database that cannot be written (locked, disk full) must
    // not keep anyone from reading their messages; the next session start or
    // sweep records the use.
    if (ctx.tokenExpiry.needsTouch(owner.lastUsedAt, now)) {
      await ctx.store
        .touchTokens([tokenHash], now, ctx.tokenExpiry.touchIfUsedBefore(now))
        .catch((error: unknown) => ctx.log.warn({ err: error, user: user.id }, 'could not record the use of a token'));
      if (session.isClosed) return;
    }
    if (owner.address !== session.remoteAddress) {
      // Best effort too: the device list shows where a sign-in was last seen.
      await ctx.store
        .setTokenAddress(tokenHash, session.remoteAddress)
        .catch((error: unknown) => ctx.log.warn({ err: error, user: user.id }, 'could not record the address of a token'));
      if (session.isClosed) return;
    }
    session.authenticated(user, tokenHash);
    const added = await ctx.sessions.add(session);
    if (session.isClosed) return;
    if (!added) {
      ctx.log.warn({ session: session.id, user: user.id }, 'socket cap reached, refusing the new socket');
      session.close(CLOSE_CODES.overloaded, 'too many connections for this user');
      return;
    }
    ctx.metrics.sessions.inc();
    ctx.log.info({ session: session.id, user: user.id, address: session.remoteAddress }, 'session started');
    await synchronise(ctx, session, frame.cursors);
  } catch (error) {
    // Without a session start the client can do nothing: close so that it
    // retries, rather than leave it waiting for a welcome.
    ctx.log.error({ err: error, session: session.id }, 'session start failed');
    session.close(CLOSE_CODES.internalError, 'internal error');
  }
}
