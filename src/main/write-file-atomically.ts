// Replaces a file so that a crash or power cut leaves the old content or the
// new, never half of it: write a temporary file beside it, then rename it
// over the original (atomic on one file system).
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomically(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.tmp`;
  // Only the user may read what the app keeps (settings, the account).
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, file);
}
