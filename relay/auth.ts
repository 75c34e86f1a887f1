// Credentials: salted scrypt password hashes and random bearer tokens, of
// which only a SHA-256 hash is ever stored. scrypt runs on libuv's thread
// pool, so hashing never blocks the event loop.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const TOKEN_BYTES = 32;

/**
 * Hashes a password with a fresh salt. The result carries its parameters
 * (`scrypt$logN$r$p$salt$key`), so raising the cost later keeps old hashes
 * verifiable.
 */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, cost, BLOCK_SIZE, PARALLELISM);
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, blockSize, parallelism, salt, key] = stored.split('$');
  const params = [cost, blockSize, parallelism].map(Number);
  if (scheme !== 'scrypt' || salt === undefined || key === undefined || !params.every(Number.isInteger)) return false;
  const [logN, r, p] = params as [number, number, number];
  const expected = Buffer.from(key, 'base64');
  const actual = await deriveKey(password, Buffer.from(salt, 'base64'), logN, r, p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash to verify against when the user does not exist, so that an unknown
 * username costs as much time as a wrong password and the two cannot be told
 * apart.
 */
export function decoyPasswordHash(cost: number): Promise<string> {
  let decoy = decoys.get(cost);
  if (!decoy) {
    decoy = hashPassword(randomBytes(12).toString('base64'), cost);
    decoys.set(cost, decoy);
  }
  return decoy;
}
const decoys = new Map<number, Promise<string>>();

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The token of an `Authorization: Bearer TOKEN` header, if it has one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer ([A-Za-z0-9._~+/=-]+)$/);
  return match?.[1];
}

function deriveKey(password: string, salt: Buffer, cost: number, blockSize: number, parallelism: number): Promise<Buffer> {
  const N = 2 ** cost;
  // scrypt needs about 128 * N * r bytes; Node refuses more than maxmem.
  const maxmem = 256 * N * blockSize;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: blockSize, p: parallelism, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}
