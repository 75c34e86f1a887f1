// Files over HTTP (docs/files.md, "The apps' side"): uploads with tus
// (tus-js-client) and downloads, both on the relay's current node
// (relay-nodes.ts: another node when it does not answer, an upload URL of
// an earlier attempt moved onto the node tried) through the host's injected fetch
// (Electron's net.fetch in the main process, the page's fetch on the web), so
// they take the same network path, proxies and certificates as sign-in.
//
// tus-js-client brings its own HTTP stacks (XHR in browsers, node:http in
// Node) and file readers (Blob, Buffer); neither fits an engine that runs in
// both and keeps a file's bytes in its store, so it gets a fetch stack and a
// reader over a Uint8Array here. Resumption is ours too: the upload URL is kept
// in the outbox job (not in tus-js-client's URL storage), and a resumed upload
// starts from it: tus-js-client asks the relay for its offset (HEAD) and sends
// the rest; when the relay no longer knows it (404), it creates a new one.
import { type DetailedError, type HttpRequest, type HttpResponse, type HttpStack, Upload } from 'tus-js-client';
import { FILE_ID_PATTERN, FILES_PATH } from '../protocol/index.ts';
import type { RelayNodes } from './relay-nodes.ts';

/** How an upload ended when it did not succeed. */
export interface UploadFailure {
  /** The relay refused the file itself (too large, over quota, bad metadata):
   * trying again cannot help. Otherwise the network or the relay broke off,
   * and the upload resumes later from where it got. */
  final: boolean;
  message: string;
}

export interface UploadCallbacks {
  /** The relay created the upload: keep this URL to resume from. */
  created(url: string): void;
  progress(sent: number, total: number): void;
  finished(fileId: string): void;
  failed(failure: UploadFailure): void;
}

export interface UploadRequest {
  bytes: Uint8Array;
  name: string;
  mime: string;
  /** From an earlier attempt, if any. */
  uploadUrl?: string;
}

/** A running upload; abort() stops it (what arrived stays on the relay). */
export interface RunningUpload {
  abort(): void;
}

export interface FileTransfersOptions {
  nodes: RelayNodes;
  token: string;
  chunkBytes: number;
}

/** Relay answers that no retry can change (docs/protocol.md, "Files"). */
const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 413, 415]);

export class FileTransfers {
  private readonly options: FileTransfersOptions;

  constructor(options: FileTransfersOptions) {
    this.options = options;
  }

  upload(request: UploadRequest, callbacks: UploadCallbacks): RunningUpload {
    const upload = new Upload(request.bytes as unknown as Blob, {
      endpoint: this.options.nodes.current + FILES_PATH,
      uploadUrl: request.uploadUrl ?? null,
      metadata: { filename: request.name, filetype: request.mime },
      headers: { Authorization: `Bearer ${this.options.token}` },
      chunkSize: this.options.chunkBytes,
      // The first chunk (a small file whole) goes with the creation request
      // (tus creation-with-upload): one request and one commit on the relay
      // instead of two of each (docs/files.md).
      uploadDataDuringCreation: true,
      // A few quick retries inside one attempt; past them the outbox tries
      // again when the connection is back.
      retryDelays: [0, 1_000, 3_000],
      // Its own URL storage is off, so the fingerprint only names the upload.
      storeFingerprintForResuming: false,
      fingerprint: async () => `duplex:${request.name}`,
      httpStack: new FetchHttpStack(this.options.nodes),
      fileReader: bytesReader,
      onUploadUrlAvailable: () => {
        if (upload.url) callbacks.created(upload.url);
      },
      onProgress: (sent, total) => callbacks.progress(sent, total),
      onSuccess: () => {
        const fileId = upload.url?.split('/').pop() ?? '';
        if (FILE_ID_PATTERN.test(fileId)) callbacks.finished(fileId);
        else callbacks.failed({ final: true, message: 'The relay answered with no file id' });
      },
      onError: (error) => callbacks.failed(uploadFailure(error)),
    });
    upload.start();
    return { abort: () => void upload.abort(false) };
  }

  /** A file's bytes, fetched with the token. Rejects with a message fit for
   * the user when the relay does not give them. */
  async download(fileId: string): Promise<Uint8Array> {
    const response = await this.options.nodes.fetch(`${FILES_PATH}/${encodeURIComponent(fileId)}`, {
      headers: { Authorization: `Bearer ${this.options.token}` },
    });
    if (response.status === 404) throw new Error('This file is no longer available');
    if (!response.ok) throw new Error(`The relay could not send the file (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  }
}

function uploadFailure(error: Error | DetailedError): UploadFailure {
  const status = 'originalResponse' in error ? (error.originalResponse?.getStatus() ?? 0) : 0;
  const final = FINAL_STATUSES.has(status);
  const body = 'originalResponse' in error ? (error.originalResponse?.getBody() ?? '') : '';
  return { final, message: final ? relayMessage(body, status) : error.message };
}

/** The relay's JSON error message, if it sent one. */
function relayMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: say the status.
  }
  return status === 413 ? 'The file is too large' : `The relay refused the file (HTTP ${status})`;
}

/** tus-js-client's file reader over bytes already in memory. Each chunk is
 * a Blob: a body fetch takes everywhere, whose `size` tus-js-client reads. */
const bytesReader = {
  async openFile(input: Uint8Array) {
    return {
      size: input.byteLength,
      async slice(start: number, end: number) {
        const value = new Blob([input.subarray(start, end) as Uint8Array<ArrayBuffer>]);
        return { value, done: end >= input.byteLength };
      },
      close() {},
    };
  },
};

/** tus-js-client's HTTP stack over fetch. Upload progress is reported per
 * request (fetch reports none within a body), which the chunk size bounds. */
class FetchHttpStack implements HttpStack {
  private readonly nodes: RelayNodes;

  constructor(nodes: RelayNodes) {
    this.nodes = nodes;
  }

  createRequest(method: string, url: string): HttpRequest {
    return new FetchRequest(this.nodes, method, url);
  }

  getName(): string {
    return 'fetch';
  }
}

class FetchRequest implements HttpRequest {
  private readonly nodes: RelayNodes;
  private readonly method: string;
  private readonly url: string;
  private readonly headers: Record<string, string> = {};
  private readonly controller = new AbortController();
  private progress: (sent: number) => void = () => {};

  constructor(nodes: RelayNodes, method: string, url: string) {
    this.nodes = nodes;
    this.method = method;
    this.url = url;
  }

  getMethod(): string {
    return this.method;
  }

  getURL(): string {
    return this.url;
  }

  setHeader(header: string, value: string): void {
    this.headers[header] = value;
  }

  getHeader(header: string): string | undefined {
    return this.headers[header];
  }

  setProgressHandler(handler: (sent: number) => void): void {
    this.progress = handler;
  }

  async send(body?: Blob | null): Promise<HttpResponse> {
    const response = await this.nodes.fetch(this.url, {
      method: this.method,
      headers: this.headers,
      body: body ?? null,
      signal: this.controller.signal,
    });
    const text = await response.text();
    if (body) this.progress(body.size);
    return {
      getStatus: () => response.status,
      getHeader: (name) => response.headers.get(name) ?? undefined,
      getBody: () => text,
      getUnderlyingObject: () => response,
    };
  }

  async abort(): Promise<void> {
    this.controller.abort();
  }

  getUnderlyingObject(): unknown {
    return this.controller;
  }
}
