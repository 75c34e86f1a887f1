// A loopback TCP proxy between engines and a relay, to break the path in the
// ways real networks do: drop every connection at once (a network change),
// refuse new ones (offline), or stop forwarding without closing anything (a
// half-open connection after sleep, which no socket notices by itself), or
// hold a WebSocket's first frames back for a while (a slow path that makes
// the `hello` arrive after the relay's hello timeout).
import net from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

interface Link {
  client: net.Socket;
  /** Between client and upstream: passes the client's bytes on, or holds them. */
  gate: HelloGate;
  upstream: net.Socket;
}

/**
 * Passes what the client sends through, except that when the proxy has a
 * stall armed and this connection carries a WebSocket upgrade request, what
 * the client sends after the relay's answer to it is held for the stall.
 * (fetch may reuse a kept-alive connection for the upgrade, so every
 * connection is watched, not only new ones.)
 */
class HelloGate extends Transform {
  readonly #takeStall: () => number;
  #stallMs = 0;
  #holdUntil = 0;

  constructor(upstream: net.Socket, takeStall: () => number) {
    super();
    this.#takeStall = takeStall;
    upstream.on('data', () => {
      if (this.#stallMs === 0) return;
      this.#holdUntil = Date.now() + this.#stallMs;
      this.#stallMs = 0;
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const wait = this.#holdUntil - Date.now();
    if (wait > 0) {
      setTimeout(() => done(null, chunk), wait);
      return;
    }
    if (/^GET [^\r\n]+\r\n/.test(chunk.toString('latin1')) && /^upgrade: *websocket\r$/im.test(chunk.toString('latin1'))) {
      this.#stallMs = this.#takeStall();
    }
    done(null, chunk);
  }
}

export class TcpProxy {
  private readonly server: net.Server;
  private readonly links = new Set<Link>();
  private refusing = false;
  /** The stall armed by stallNextUpgrade, taken by the next upgrade. */
  private nextStallMs = 0;

  private constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const gate = new HelloGate(upstream, () => {
        const stall = this.nextStallMs;
        this.nextStallMs = 0;
        return stall;
      });
      const link = { client, gate, upstream };
      this.links.add(link);
      const end = () => {
        this.links.delete(link);
        client.destroy();
        upstream.destroy();
      };
      for (const socket of [client, upstream]) {
        socket.on('error', end);
        socket.on('close', end);
      }
      client.pipe(gate).pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  get openLinks(): number {
    return this.links.size;
  }

  /** Existing connections stay open but carry nothing more, either way. */
  freeze(): void {
    for (const { client, gate, upstream } of this.links) {
      client.unpipe(gate);
      gate.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /**
   * The next WebSocket upgrade through the proxy goes through as usual, and
   * so does the relay's answer; then whatever the client sends (its `hello`)
   * is held for `ms` before it goes on: to the relay, the hello is late.
   */
  stallNextUpgrade(ms: number): void {
    this.nextStallMs = ms;
  }

  /** Resets every connection at once. */
  dropAll(): void {
    for (const { client, upstream } of [...this.links]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
  }

  /** While on, new connections are reset as soon as they arrive. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** Offline: drops everything and refuses new connections. */
  goOffline(): void {
    this.refuse(true);
    this.dropAll();
  }

  goOnline(): void {
    this.refuse(false);
  }

  async close(): Promise<void> {
    this.refuse(true);
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
