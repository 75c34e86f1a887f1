// Saving a message's file in the desktop app (DesktopApi.saveFile): the user
// picks the place in the native save dialog, offered the file's name in the
// Downloads folder; the bytes come from the engine (its cache, or the relay)
// and are written by the main process. The page names only the file id and
// a suggested name, so it can never choose a path on its own.
import path from 'node:path';

export interface SaveFileDeps {
  getFile(fileId: string): Promise<Uint8Array>;
  showSaveDialog(options: { defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>;
  writeFile(filePath: string, bytes: Uint8Array): Promise<void>;
  downloadsDir: string;
}

export async function saveFile(deps: SaveFileDeps, fileId: string, name: string): Promise<void> {
  const { canceled, filePath } = await deps.showSaveDialog({ defaultPath: path.join(deps.downloadsDir, safeFileName(name)) });
  if (canceled || !filePath) return;
  await deps.writeFile(filePath, await deps.getFile(fileId));
}

/** A name any file system takes: the last path segment, without control
 * characters or those Windows reserves, never empty or a dot name. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  return cleaned === '' || /^\.+$/.test(cleaned) ? 'file' : cleaned;
}
