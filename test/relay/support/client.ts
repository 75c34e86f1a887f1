// A small protocol client for tests: HTTP account helpers and a WebSocket
// client (the `ws` library, for access to close codes, binary frames and
// pausing) that keeps every frame it receives, checks each one against the
// protocol's schemas, and lets a test await the next frame of a type that
// matches a predicate.
import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import WebSocket from 'ws';
import {
  type AuthResponse,
  type HttpErrorBody,
  MAX_FRAME_BYTES,
  parseRelayFrame,
  type RelayFrame,
  SUBPROTOCOL,
  type WelcomeFrame,
  type BatchFrame,
} from '../../../src/shared/protocol/index.ts';

export type FrameOf<T extends RelayFrame['t']> = Extract<RelayFrame, { t: T }>;

const DEFAULT_TIMEOUT_MS = 5_000;

/** A username that no other test uses. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export function uniqueCid(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The parsed body of an API answer, typed as both the success and the error
 * shape so that tests can read either after asserting the status.
 */
export type ApiBody = AuthResponse & HttpErrorBody;

export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: ApiBody }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as ApiBody) : ({} as ApiBody) };
}

export async function register(baseUrl: string, name = uniqueName(), displayName?: string): Promise<AuthResponse> {
  const response = await postJson(baseUrl, '/api/register', {
    username: name,
    password: 'correct horse battery',
    displayName: displayName ?? name,
  });
  if (response.status !== 201) throw new Error(`register ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export interface ConnectOptions {
  /** Subprotocols to offer; duplex.v1 by default. */
  protocols?: string[];
  origin?: string;
  /** More request headers (Host, X-Forwarded-For…). */
  headers?: Record<string, string>;
  /** Certificate authority to trust for wss:// (a test's self-signed certificate). */
  ca?: Buffer;
  /** Host name resolution, e.g. a proxy's public name to 127.0.0.1. */
  lookup?: LookupFunction;
}

export interface Synced {
  welcome: WelcomeFrame;
  batches: BatchFrame[];
}

export class TestClient {
  readonly ws: WebSocket;
  /** Every frame received, in order. */
  readonly frames: RelayFrame[] = [];
  /** Frames that broke the protocol (bad shape, too large); tests expect none. */
  readonly violations: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #taken = new Set<number>();
  #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
    ws.on('message', (data, isBinary) => {
      const text = (data as Buffer).toString('utf8');
      const parsed = isBinary ? undefined : parseRelayFrame(text);
      if (!parsed?.ok) {
        this.violations.push(`unparseable frame: ${parsed?.message ?? 'binary'}: ${text.slice(0, 200)}`);
        return;
      }
      if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
        this.violations.push(`${parsed.frame.t} frame of ${Buffer.byteLength(text)} bytes`);
      }
      this.frames.push(parsed.frame);
      this.#wake();
    });
    ws.on('error', () => {});
  }

  static connect(wsUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(wsUrl, options.protocols ?? [SUBPROTOCOL], {
      headers: { ...(options.origin ? { Origin: options.origin } : {}), ...options.headers },
      perMessageDeflate: false,
      ca: options.ca,
      // Passed on to https.request; @types/ws does not list it.
      ...(options.lookup && { lookup: options.lookup }),
    });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response) => reject(new UpgradeRefused(response.statusCode ?? 0)));
      ws.once('error', reject);
    });
  }

  /** Connects, says hello and waits for `synced`. */
  static async signIn(wsUrl: string, token: string, cursors: Record<string, number> = {}): Promise<[TestClient, Synced]> {
    const client = await TestClient.connect(wsUrl);
    return [client, await client.hello(token, cursors)];
  }

  async hello(token: string, cursors: Record<string, number> = {}): Promise<Synced> {
    this.send({ t: 'hello', v: 1, token, cursors });
    const welcome = await this.next('welcome');
    await this.next('synced', undefined, 15_000);
    const batches = this.frames.filter((frame): frame is BatchFrame => frame.t === 'batch');
    batches.forEach((batch) => this.#taken.add(this.frames.indexOf(batch)));
    return { welcome, batches };
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a rid and waits for the answer with the same rid. */
  async request(frame: Record<string, unknown>, timeoutMs?: number): Promise<RelayFrame> {
    const rid = uniqueCid();
    this.send({ ...frame, rid });
    return this.nextAny((answer) => 'rid' in answer && answer.rid === rid, timeoutMs);
  }

  /** Sends a message and waits for its ack (or nack). */
  async sendMessage(conv: string, body: string, extra: Record<string, unknown> = {}): Promise<FrameOf<'ack'> | FrameOf<'nack'>> {
    const cid = (extra.cid as string | undefined) ?? uniqueCid();
    this.send({ t: 'send', cid, conv, body, ...extra });
    return this.nextAny((frame) => (frame.t === 'ack' || frame.t === 'nack') && frame.cid === cid) as Promise<
      FrameOf<'ack'> | FrameOf<'nack'>
    >;
  }

  /** The first frame of type `t` matching `match` not taken by an earlier call, waiting for it if needed. */
  next<T extends RelayFrame['t']>(
    t: T,
    match: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<FrameOf<T>> {
    return this.nextAny((frame) => frame.t === t && match(frame as FrameOf<T>), timeoutMs) as Promise<FrameOf<T>>;
  }

  nextAny(match: (frame: RelayFrame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RelayFrame> {
    return new Promise((resolve, reject) => {
      // Frames before `scanned` did not match; only newer ones need a look.
      let scanned = 0;
      const check = (): boolean => {
        if (this.violations.length > 0) {
          finish();
          reject(new Error(`protocol violation: ${this.violations[0]}`));
          return true;
        }
        for (; scanned < this.frames.length; scanned++) {
          if (this.#taken.has(scanned) || !match(this.frames[scanned] as RelayFrame)) continue;
          this.#taken.add(scanned);
          finish();
          resolve(this.frames[scanned] as RelayFrame);
          return true;
        }
        if (this.ws.readyState === WebSocket.CLOSED) {
          finish();
          reject(new Error(`socket closed while waiting; frames: ${this.#describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no matching frame within ${timeoutMs} ms; frames: ${this.#describe()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.#waiters.add(wake);
    });
  }

  /** Waits `ms` and fails if a matching frame arrived meanwhile (or before, untaken). */
  async expectNone(match: (frame: RelayFrame) => boolean, ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const found = this.frames.find((frame, i) => !this.#taken.has(i) && match(frame));
    if (found) throw new Error(`unexpected frame ${JSON.stringify(found)}`);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    await this.closed;
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #describe(): string {
    return JSON.stringify(this.frames.slice(-8)).slice(0, 1500);
  }
}

export class UpgradeRefused extends Error {
  readonly status: number;

  constructor(status: number) {
    super(`upgrade refused with HTTP ${status}`);
    this.status = status;
  }
}
