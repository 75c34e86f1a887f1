// Creating an account and setting a new password: the steps shared by the
// HTTP API (POST /api/register, POST /api/password) and the operator's
// commands (duplex-relay user create, user reset-password), so that both hash
// and store alike. Callers
// validate the username, password and display name first (the protocol's
// schemas).
import type { User } from '../src/shared/protocol/index.ts';
import { hashPassword } from './auth.ts';
import type { RelayStore, SignInsEnded } from './store/types.ts';

export interface NewAccount {
  username: string;
  password: string;
  /** Defaults to the username. */
  displayName?: string;
}

/**
 * The new user, or null when the username is taken. A deleted account's
 * username is taken until its quarantine (`usernameQuarantineMs`) is over,
 * then freed here (docs/operations.md, "Deleting an account").
 */
export async function createAccount(
  store: RelayStore,
  account: NewAccount,
  scryptCost: number,
  now: number,
  usernameQuarantineMs: number,
): Promise<User | null> {
  await store.releaseUsername(account.username, now - usernameQuarantineMs);
  // Checked first only to spare a password hash; the insert decides.
  if (await store.userByUsername(account.username)) return null;
  const passwordHash = await hashPassword(account.password, scryptCost);
  return store.createUser({ username: account.username, displayName: account.displayName ?? account.username, passwordHash }, now);
}

/** Sets a new password and revokes the tokens `ended` names; returns the hashes of those revoked. */
export async function resetPassword(
  store: RelayStore,
  userId: string,
  password: string,
  scryptCost: number,
  ended: SignInsEnded = 'all',
): Promise<string[]> {
  return store.replacePassword(userId, await hashPassword(password, scryptCost), ended);
}
