// Every configurable limit and timing of the relay, in one table. The defaults
// are those of PROTOCOL.md ("Limits" and "Errors and closing"); each one can be
// overridden with its environment variable or with `--limit name=value`
// (see config.ts), which is how tests shorten timeouts. Numbers that every peer
// must agree on (frame size, body length, batch size) are not here: they are
// protocol constants in src/shared/protocol/constants.ts.

interface LimitDefinition {
  env: string;
  default: number;
  min: number;
  description: string;
}

const LIMIT_DEFINITIONS = {
  sendBurst: {
    env: 'DUPLEX_SEND_BURST',
    default: 30,
    min: 1,
    description: 'sends per user: token bucket size',
  },
  sendsPerSecond: {
    env: 'DUPLEX_SENDS_PER_SECOND',
    default: 10,
    min: 1,
    description: 'sends per user: tokens added each second',
  },
  conversationChangeBurst: {
    env: 'DUPLEX_CONVERSATION_CHANGE_BURST',
    default: 10,
    min: 1,
    description: 'conversation changes (create, add, rename, leave, chatstate) per user: token bucket size',
  },
  conversationChangesPerMinute: {
    env: 'DUPLEX_CONVERSATION_CHANGES_PER_MINUTE',
    default: 12,
    min: 1,
    description: 'conversation changes per user: tokens added each minute',
  },
  typingIntervalMs: {
    env: 'DUPLEX_TYPING_INTERVAL_MS',
    default: 250,
    min: 0,
    description: 'typing frames per user and conversation are relayed at most once per interval (the latest state always)',
  },
  conversationsPerUser: {
    env: 'DUPLEX_CONVERSATIONS_PER_USER',
    default: 1_000,
    min: 1,
    description: 'conversations a user can be in; a create or add that would exceed it is refused',
  },
  failedLoginsPerUsername: {
    env: 'DUPLEX_FAILED_LOGINS_PER_USERNAME',
    default: 10,
    min: 1,
    description: 'failed logins per username within the login window, then 429',
  },
  failedLoginsPerAddress: {
    env: 'DUPLEX_FAILED_LOGINS_PER_ADDRESS',
    default: 10,
    min: 1,
    description: 'failed logins per client address within the login window, then 429',
  },
  failedLoginWindowMs: {
    env: 'DUPLEX_FAILED_LOGIN_WINDOW_MS',
    default: 5 * 60_000,
    min: 1,
    description: 'sliding window for failed logins',
  },
  registrationsPerAddress: {
    env: 'DUPLEX_REGISTRATIONS_PER_ADDRESS',
    default: 20,
    min: 1,
    description: 'registration attempts per client address within the registration window',
  },
  registrationWindowMs: {
    env: 'DUPLEX_REGISTRATION_WINDOW_MS',
    default: 60 * 60_000,
    min: 1,
    description: 'sliding window for registrations',
  },
  socketsPerUser: {
    env: 'DUPLEX_SOCKETS_PER_USER',
    default: 20,
    min: 1,
    description: 'open sessions per user in this process (with --redis-url: in the cluster); one more is closed with 1013',
  },
  unauthenticatedSocketsPerAddress: {
    env: 'DUPLEX_UNAUTHENTICATED_SOCKETS_PER_ADDRESS',
    default: 32,
    min: 1,
    description: 'sockets of one client address that have not sent `hello` yet; one more upgrade is refused with 503',
  },
  unauthenticatedSockets: {
    env: 'DUPLEX_UNAUTHENTICATED_SOCKETS',
    default: 2_048,
    min: 1,
    description: 'sockets that have not sent `hello` yet, in all; one more upgrade is refused with 503',
  },
  helloTimeoutMs: {
    env: 'DUPLEX_HELLO_TIMEOUT_MS',
    default: 10_000,
    min: 1,
    description: 'time allowed between the upgrade and `hello`, then close 1008',
  },
  badFramesPerWindow: {
    env: 'DUPLEX_BAD_FRAMES_PER_WINDOW',
    default: 20,
    min: 1,
    description: '`bad_frame` errors allowed per socket within the bad-frame window; one more closes 1008',
  },
  badFrameWindowMs: {
    env: 'DUPLEX_BAD_FRAME_WINDOW_MS',
    default: 60_000,
    min: 1,
    description: 'sliding window for bad frames',
  },
  slowConsumerBytes: {
    env: 'DUPLEX_SLOW_CONSUMER_BYTES',
    default: 4 * 1024 * 1024,
    min: 1024,
    description: 'unsent output above which a socket is closed with 1013',
  },
  syncHighWaterBytes: {
    env: 'DUPLEX_SYNC_HIGH_WATER_BYTES',
    default: 1024 * 1024,
    min: 1024,
    description: 'unsent output above which the session start waits for the socket to drain',
  },
  syncHeldBytes: {
    env: 'DUPLEX_SYNC_HELD_BYTES',
    default: 4 * 1024 * 1024,
    min: 1024,
    description: 'live frames held for a session during its start (sent after `synced`) above which it is closed with 1013',
  },
  closeGraceMs: {
    env: 'DUPLEX_CLOSE_GRACE_MS',
    default: 5_000,
    min: 1,
    description: 'time a closing socket gets to finish the close handshake before it is terminated',
  },
  pingIntervalMs: {
    env: 'DUPLEX_PING_INTERVAL_MS',
    default: 25_000,
    min: 10,
    description: 'WebSocket ping interval; a socket that missed the previous pong is terminated',
  },
  presenceGraceMs: {
    env: 'DUPLEX_PRESENCE_GRACE_MS',
    default: 400,
    min: 0,
    description: 'delay before a user whose last socket closed is announced offline',
  },
  nodeHeartbeatMs: {
    env: 'DUPLEX_NODE_HEARTBEAT_MS',
    default: 10_000,
    min: 50,
    description:
      'with --redis-url: how often a node renews its liveness; a node silent for 3 intervals counts as dead and its users go offline',
  },
  redisDownHealthMs: {
    env: 'DUPLEX_REDIS_DOWN_HEALTH_MS',
    default: 3_000,
    min: 0,
    description: 'with --redis-url: /healthz answers 503 once Redis has been unreachable this long',
  },
  inboundHighWaterBytes: {
    env: 'DUPLEX_INBOUND_HIGH_WATER_BYTES',
    default: 1024 * 1024,
    min: 1024,
    description: 'received frames waiting to be handled above which a socket stops reading until they are',
  },
  groupCommitMaxSends: {
    env: 'DUPLEX_GROUP_COMMIT_MAX_SENDS',
    default: 1_000,
    min: 1,
    description: 'sends stored in one transaction at most',
  },
  tokenRecheckIntervalMs: {
    env: 'DUPLEX_TOKEN_RECHECK_INTERVAL_MS',
    default: 10_000,
    min: 10,
    description:
      'how often the tokens of open sessions are checked; sessions whose token was revoked by an operator command are closed with 4001',
  },
  passwordHashConcurrency: {
    env: 'DUPLEX_PASSWORD_HASH_CONCURRENCY',
    default: 2,
    min: 1,
    description: 'password hashes (logins, registrations) running at once, relay-wide',
  },
  passwordHashQueue: {
    env: 'DUPLEX_PASSWORD_HASH_QUEUE',
    default: 32,
    min: 0,
    description: 'password hashes waiting for a slot at most; one more is answered 503 with Retry-After',
  },
  passwordHashWaitMs: {
    env: 'DUPLEX_PASSWORD_HASH_WAIT_MS',
    default: 5_000,
    min: 1,
    description: 'longest wait for a password hash slot, then 503 with Retry-After',
  },
  sessionIdleMs: {
    env: 'DUPLEX_SESSION_IDLE_MS',
    default: 90 * 24 * 60 * 60_000,
    min: 1_000,
    description: 'a sign-in (token) unused for this long expires: 401 over HTTP, close 4001 on hello (default 90 days)',
  },
  usernameQuarantineMs: {
    env: 'DUPLEX_USERNAME_QUARANTINE_MS',
    default: 30 * 24 * 60 * 60_000,
    min: 0,
    description: 'a deleted account\'s username stays taken this long, then anyone may register it (default 30 days)',
  },
  httpRequestTimeoutMs: {
    env: 'DUPLEX_HTTP_REQUEST_TIMEOUT_MS',
    default: 30_000,
    min: 1_000,
    description: 'time allowed for an HTTP request, headers and body, before the connection is dropped (slow clients)',
  },
  httpBodyBytes: {
    env: 'DUPLEX_HTTP_BODY_BYTES',
    default: 16 * 1024,
    min: 1024,
    description: 'largest accepted HTTP request body, else 413',
  },
  fileBytes: {
    env: 'DUPLEX_FILE_BYTES',
    default: 100 * 1024 * 1024,
    min: 1,
    description: 'largest file (tus Upload-Length), else 413',
  },
  fileQuotaBytes: {
    env: 'DUPLEX_FILE_QUOTA_BYTES',
    default: 2 * 1024 * 1024 * 1024,
    min: 0,
    description: 'bytes of files (finished or not) one user may hold; an upload beyond it gets 413',
  },
  uploadBurst: {
    env: 'DUPLEX_UPLOAD_BURST',
    default: 30,
    min: 1,
    description: 'uploads created per user: token bucket size',
  },
  uploadsPerMinute: {
    env: 'DUPLEX_UPLOADS_PER_MINUTE',
    default: 30,
    min: 1,
    description: 'uploads created per user: tokens added each minute (over them: 429)',
  },
  fileRetentionMs: {
    env: 'DUPLEX_FILE_RETENTION_MS',
    default: 24 * 3_600_000,
    min: 1,
    description: 'age after which unfinished uploads and files no message carries are removed',
  },
  fileSweepIntervalMs: {
    env: 'DUPLEX_FILE_SWEEP_INTERVAL_MS',
    default: 3_600_000,
    min: 10,
    description: 'how often expired files are looked for',
  },
  healthCheckIntervalMs: {
    env: 'DUPLEX_HEALTH_CHECK_INTERVAL_MS',
    default: 1_000,
    min: 10,
    description: 'with --database-url: how often the relay checks that its database answers',
  },
  unhealthyAfterMs: {
    env: 'DUPLEX_UNHEALTHY_AFTER_MS',
    default: 5_000,
    min: 10,
    description: 'with --database-url: /healthz answers 503 once the database has not answered for this long',
  },
} as const satisfies Record<string, LimitDefinition>;

export type LimitName = keyof typeof LIMIT_DEFINITIONS;
export type Limits = Record<LimitName, number>;

export const LIMIT_NAMES = Object.keys(LIMIT_DEFINITIONS) as LimitName[];

export function limitDefinition(name: LimitName): LimitDefinition {
  return LIMIT_DEFINITIONS[name];
}

export function isLimitName(name: string): name is LimitName {
  return Object.hasOwn(LIMIT_DEFINITIONS, name);
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(
  Object.fromEntries(LIMIT_NAMES.map((name) => [name, LIMIT_DEFINITIONS[name].default])) as Limits,
);
