// File ids: 18 random bytes in base64url (24 characters), made by the relay.
// Unguessable, so that an id alone says nothing about who may read the file
// (that is the store's check), and safe as a file name or an object key: an
// id from a request is used only after it matched FILE_ID_PATTERN, so no path
// character (`/`, `\`, `.`, `%`) ever reaches the storage.
import { randomBytes } from 'node:crypto';
import { FILE_ID_PATTERN } from '../../src/shared/protocol/index.ts';

export function newFileId(): string {
  return randomBytes(18).toString('base64url');
}

export function isFileId(text: string): boolean {
  return FILE_ID_PATTERN.test(text);
}
