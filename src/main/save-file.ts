// Saving a message's file (DesktopApi.saveFile) or the user's data export
// (saveMyData) in the desktop app: the user picks the place in the native
// save dialog, offered the name in the Downloads folder; the bytes come from
// the engine (its cache, or the relay) and are written by the main process.
// The page names only what to save and a suggested name, so it can never
// choose a path on its own.
import path from 'node:path';

export interface SaveDeps {
  showSaveDialog(options: { defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>;
  writeFile(filePath: string, bytes: Uint8Array): Promise<void>;
  downloadsDir: string;
}

export interface SaveFileDeps extends SaveDeps {
  getFile(fileId: string): Promise<Uint8Array>;
}

export function saveFile(deps: SaveFileDeps, fileId: string, name: string): Promise<void> {
  return saveBytes(deps, name, () => deps.getFile(fileId));
}

/** Asks where, then reads the bytes (not when the user cancels) and writes them there. */
export async function saveBytes(deps: SaveDeps, name: string, read: () => Promise<Uint8Array>): Promise<void> {
  const { canceled, filePath } = await deps.showSaveDialog({ defaultPath: path.join(deps.downloadsDir, safeFileName(name)) });
  if (canceled || !filePath) return;
  await deps.writeFile(filePath, await read());
}

/** A name any file system takes: the last path segment, without control
 * characters or those Windows reserves, never empty or a dot name. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'file' : cleaned;
}
