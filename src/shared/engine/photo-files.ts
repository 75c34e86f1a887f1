// Profile and group photos over the relay's files API (docs/files.md,
// docs/protocol.md "Profiles"), on the relay's current node (relay-nodes.ts)
// through the fetch the host injects (so the
// desktop app's requests go through Chromium's network stack like every
// other). A photo is small (the UI crops and shrinks it to well under the
// relay's 1 MiB), so an upload is one tus creation and one PATCH, and a
// failed one is simply made again; a library built for resuming large
// uploads would bring its own HTTP stack instead of the injected fetch.
// Downloads become data: URLs, which the UI's Content-Security-Policy
// allows for images, kept in memory: a photo's file id never changes its
// bytes (a new photo is a new file).
import { FILES_PATH } from '../protocol/index.ts';
import type { RelayNodes } from './relay-nodes.ts';

/** Photos kept in memory at most; the oldest read goes first. */
const CACHED_PHOTOS = 500;

export class PhotoFiles {
  private readonly nodes: RelayNodes;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly cache = new Map<string, Promise<string | null>>();

  constructor(nodes: RelayNodes, token: string, timeoutMs: number) {
    this.nodes = nodes;
    this.token = token;
    this.timeoutMs = timeoutMs;
  }

  /** Uploads a JPEG photo, in one creation request that carries its bytes; its file id. Rejects when the relay refuses or cannot be reached. */
  async upload(bytes: Uint8Array): Promise<string> {
    const created = await this.call(FILES_PATH, {
      method: 'POST',
      headers: {
        'Upload-Length': String(bytes.length),
        'Upload-Metadata': `filename ${btoa('photo.jpg')},filetype ${btoa('image/jpeg')}`,
        ...(bytes.length > 0 ? { 'Content-Type': 'application/offset+octet-stream' } : {}),
      },
      body: bytes.length > 0 ? (bytes as Uint8Array<ArrayBuffer>) : undefined,
    });
    const location = created.headers.get('Location');
    const id = location?.slice(location.lastIndexOf('/') + 1);
    if (created.status !== 201 || !id || created.headers.get('Upload-Offset') !== String(bytes.length)) {
      throw new Error(`The relay refused the photo (HTTP ${created.status})`);
    }
    return id;
  }

  /** The photo as a data: URL; null when the relay does not let this user read it (or it is gone). */
  dataUrl(fileId: string): Promise<string | null> {
    const cached = this.cache.get(fileId);
    if (cached) {
      // Read again: the newest of the map.
      this.cache.delete(fileId);
      this.cache.set(fileId, cached);
      return cached;
    }
    const loading = this.download(fileId);
    this.cache.set(fileId, loading);
    // Not kept when it failed (offline): the next look tries again.
    loading.catch(() => this.cache.delete(fileId));
    while (this.cache.size > CACHED_PHOTOS) this.cache.delete(this.cache.keys().next().value as string);
    return loading;
  }

  private async download(fileId: string): Promise<string | null> {
    const response = await this.call(`${FILES_PATH}/${encodeURIComponent(fileId)}`, { method: 'GET' });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`Could not load the photo (HTTP ${response.status})`);
    const type = response.headers.get('Content-Type') ?? 'image/jpeg';
    return `data:${type};base64,${base64(new Uint8Array(await response.arrayBuffer()))}`;
  }

  private call(path: string, init: RequestInit): Promise<Response> {
    return this.nodes.fetch(
      path,
      { ...init, headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${this.token}`, ...init.headers } },
      this.timeoutMs,
    );
  }
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}
