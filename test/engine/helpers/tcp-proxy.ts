// A loopback TCP proxy between engines and a relay, to break the path in the
// ways real networks do: drop every connection at once (a network change),
// refuse new ones (offline), or stop forwarding without closing anything (a
// half-open connection after sleep, which no socket notices by itself).
import net from 'node:net';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
}

export class TcpProxy {
  private readonly server: net.Server;
  private readonly links = new Set<Link>();
  private refusing = false;

  private constructor(targetPort: number) {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const link = { client, upstream };
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
      client.pipe(upstream);
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
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
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
