// Node's WebSocket with a tap for tests: it counts the sockets the engine
// opens, can hide chosen frames from the engine (to force a gap), and can
// rewrite what the engine sends (to make the relay refuse a message), and
// records how each socket closed.
import type { WebSocketClass } from '../../../src/shared/engine/connection.ts';
import type { ClientFrame, RelayFrame } from '../../../src/shared/protocol/index.ts';

export interface Tap {
  WebSocket: WebSocketClass;
  /** Date.now() at each socket's construction. */
  openedAt: number[];
  /** Each socket's close code and reason, in the order they closed. */
  closes: { code: number; reason: string }[];
  /** Returns true to hide a frame from the engine. */
  hideIncoming: ((frame: RelayFrame) => boolean) | null;
  /** Replaces a frame the engine sends. */
  rewriteOutgoing: ((frame: ClientFrame) => ClientFrame) | null;
}

type Listener = EventListenerOrEventListenerObject;

export function tappedWebSocket(): Tap {
  const tap: Tap = { WebSocket: undefined as unknown as WebSocketClass, openedAt: [], closes: [], hideIncoming: null, rewriteOutgoing: null };
  class TappedWebSocket extends WebSocket {
    readonly #wrapped = new Map<Listener, Listener>();

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      tap.openedAt.push(Date.now());
      super.addEventListener('close', (event) => tap.closes.push({ code: event.code, reason: event.reason }));
    }

    override send(data: string): void {
      super.send(tap.rewriteOutgoing ? JSON.stringify(tap.rewriteOutgoing(JSON.parse(data) as ClientFrame)) : data);
    }

    override addEventListener(type: string, listener: Listener, options?: boolean | AddEventListenerOptions): void {
      if (type !== 'message') {
        super.addEventListener(type, listener, options);
        return;
      }
      const wrapped = (event: Event) => {
        const data = (event as MessageEvent).data;
        if (typeof data === 'string' && tap.hideIncoming?.(JSON.parse(data) as RelayFrame)) return;
        if (typeof listener === 'function') listener.call(this, event);
        else listener.handleEvent(event);
      };
      this.#wrapped.set(listener, wrapped);
      super.addEventListener(type, wrapped, options);
    }

    override removeEventListener(type: string, listener: Listener, options?: boolean | EventListenerOptions): void {
      const wrapped = this.#wrapped.get(listener);
      this.#wrapped.delete(listener);
      super.removeEventListener(type, wrapped ?? listener, options);
    }
  }
  tap.WebSocket = TappedWebSocket;
  return tap;
}
