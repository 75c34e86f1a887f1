// The services that frame handlers work with, built once per relay by
// server.ts and passed to every handler.
import type { RelayConfig } from './config.ts';
import type { Fanout } from './fanout.ts';
import type { FileService } from './files/service.ts';
import type { GroupCommit } from './group-commit.ts';
import type { Logger } from './log.ts';
import type { MessageOrdering } from './message-order.ts';
import type { RelayMetrics } from './metrics.ts';
import type { Presence } from './presence.ts';
import type { RateLimits } from './rate-limit.ts';
import type { SessionRegistry } from './sessions.ts';
import type { RelayStore } from './store/types.ts';
import type { TypingCoalescer } from './typing-coalescer.ts';
import type { TokenExpiry } from './token-expiry.ts';

export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: RelayStore;
  readonly fanout: Fanout;
  readonly sessions: SessionRegistry;
  readonly presence: Presence;
  readonly groupCommit: GroupCommit;
  readonly rateLimits: RateLimits;
  readonly typing: TypingCoalescer;
  readonly tokenExpiry: TokenExpiry;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly files: FileService;
  /** In a cluster (--redis-url): orders each session's live msg frames and fills gaps from the store. */
  readonly ordering: MessageOrdering | undefined;
}
