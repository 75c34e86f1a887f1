// A user's devices (docs/protocol.md, "Devices"): each sign-in (token) as the
// user and the operator see it. A device is named by the start of its
// token's SHA-256 hash, which the store keeps (never the token itself), so
// neither the list nor the operator's `duplex-relay sessions` reveals a
// credential, and both name a device alike.
import { DEVICE_ID_LENGTH, type Device } from '../src/shared/protocol/index.ts';
import type { TokenRecord } from './store/types.ts';

/** What a device that gave no name at sign-in (one of an older app) is called. */
export const UNNAMED_DEVICE = 'Unknown device';

export function deviceId(tokenHash: string): string {
  return tokenHash.slice(0, DEVICE_ID_LENGTH);
}

/** The sign-in as its user sees it; `current` when it is the asking device's. */
export function toDevice(record: TokenRecord, currentTokenHash: string | undefined): Device {
  return {
    id: deviceId(record.tokenHash),
    name: record.name || UNNAMED_DEVICE,
    createdAt: record.createdAt,
    lastActiveAt: record.lastUsedAt,
    address: record.address,
    current: record.tokenHash === currentTokenHash,
  };
}
