// Who sends an HTTP request that needs a sign-in (file requests, a password
// change): the user of its `Authorization: Bearer TOKEN`, refused with 401
// when the token is missing, unknown, revoked or expired (token-expiry.ts).
// Such a request does not count as a use of the token.
import type { User } from '../src/shared/protocol/index.ts';
import { bearerToken, hashToken } from './auth.ts';
import { HttpError } from './http-error.ts';
import type { RelayStore } from './store/types.ts';
import { SESSION_EXPIRED, type TokenExpiry } from './token-expiry.ts';

export interface Bearer {
  user: User;
  tokenHash: string;
}

export async function authenticateBearer(store: RelayStore, expiry: TokenExpiry, authorization: string | undefined): Promise<Bearer> {
  const token = bearerToken(authorization);
  const tokenHash = token === undefined ? undefined : hashToken(token);
  const owner = tokenHash === undefined ? undefined : await store.tokenOwner(tokenHash);
  if (!owner || tokenHash === undefined) {
    throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked token', { 'WWW-Authenticate': 'Bearer' });
  }
  if (expiry.isExpired(owner.lastUsedAt, Date.now())) {
    throw new HttpError(401, 'unauthorized', SESSION_EXPIRED, { 'WWW-Authenticate': 'Bearer' });
  }
  return { user: owner.user, tokenHash };
}
