// Prometheus metrics of one relay instance, served at GET /metrics. Each relay
// has its own registry (not prom-client's global one) so that several relays
// can run in one process, as the tests do.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { NackCode } from '../src/shared/protocol/index.ts';

export class RelayMetrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'duplex_ws_connections',
    help: 'Open WebSocket connections, authenticated or not',
    registers: [this.registry],
  });

  readonly sessions = new Gauge({
    name: 'duplex_ws_sessions',
    help: 'WebSocket connections that completed hello',
    registers: [this.registry],
  });

  readonly messagesStored = new Counter({
    name: 'duplex_messages_stored_total',
    help: 'Messages appended to a conversation log',
    registers: [this.registry],
  });

  readonly acks = new Counter({
    name: 'duplex_acks_total',
    help: 'Acks sent, by whether the send was stored now or was a duplicate',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly nacks = new Counter({
    name: 'duplex_nacks_total',
    help: 'Sends refused, by nack code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  // The send path's labelled counters, bound once, so that counting a send
  // builds no label object.
  readonly storedAcks = this.acks.labels('stored');
  readonly duplicateAcks = this.acks.labels('duplicate');
  readonly nacksByCode: Readonly<Record<NackCode, Counter.Internal>> = {
    not_found: this.nacks.labels('not_found'),
    invalid: this.nacks.labels('invalid'),
    forbidden: this.nacks.labels('forbidden'),
    rate_limited: this.nacks.labels('rate_limited'),
    unavailable: this.nacks.labels('unavailable'),
  };

  readonly sendToAckSeconds = new Histogram({
    name: 'duplex_send_to_ack_seconds',
    help: 'Time from receiving a send to sending its ack',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly groupCommitSize = new Histogram({
    name: 'duplex_group_commit_sends',
    help: 'Sends handled in one store transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly frameErrors = new Counter({
    name: 'duplex_frame_errors_total',
    help: 'Error frames sent to clients, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly closes = new Counter({
    name: 'duplex_ws_closes_total',
    help: 'WebSocket connections closed, by close code (sent or received; 1006 when none)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly slowConsumers = new Counter({
    name: 'duplex_slow_consumers_total',
    help: 'Sockets closed with 1013 because their unsent output grew too large',
    registers: [this.registry],
  });

  readonly passwordChecksRefused = new Counter({
    name: 'duplex_password_checks_refused_total',
    help: 'Logins and registrations answered 503 because no password hash slot came free in time',
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'duplex_http_requests_total',
    help: 'HTTP requests, by route and status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  readonly gapFills = new Counter({
    name: 'duplex_gap_fills_total',
    help: 'In a cluster: live msg frames that skipped ahead (or a catch-up after Redis came back), by whether the store filled the gap',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly gapFilledMessages = new Counter({
    name: 'duplex_gap_filled_messages_total',
    help: 'In a cluster: messages read from the store to fill gaps in live msg frames',
    registers: [this.registry],
  });

  /** The counters a MessageOrder reports to (message-order.ts). */
  readonly gapCounters = {
    filled: (messages: number) => {
      this.gapFills.inc({ result: 'filled' });
      this.gapFilledMessages.inc(messages);
    },
    unfilled: () => this.gapFills.inc({ result: 'failed' }),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
