// Fixed numbers and names of the Duplex wire protocol, version 1
// (docs/protocol.md). Configurable relay limits live in relay/limits.ts; these are
// the ones every client and relay must agree on.

export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = 'duplex.v1';
export const WS_PATH = '/ws';
/** The desktop app's update feed (electron-updater's generic provider), below the relay URL. */
export const UPDATES_PATH = '/updates/';

/** Largest text frame either side may send, in bytes on the wire. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Message body: 1..4096 Unicode code points after trimming. */
export const MAX_BODY_CODE_POINTS = 4096;
export const MAX_TITLE_LENGTH = 64;
export const MAX_DISPLAY_NAME_LENGTH = 64;
/** A profile's "about" line, in UTF-16 units after trimming. */
export const MAX_ABOUT_LENGTH = 140;
/** The device name an app gives at sign-in ("Duplex on Linux"), in UTF-16 units. */
export const MAX_DEVICE_NAME_LENGTH = 64;
/** A device (sign-in) is named by this many hex digits of its token's SHA-256, as `duplex-relay sessions` shows it. */
export const DEVICE_ID_LENGTH = 16;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const CID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** A group has its creator plus 1..255 others. */
export const MAX_GROUP_OTHER_MEMBERS = 255;
export const MAX_GROUP_MEMBERS = MAX_GROUP_OTHER_MEMBERS + 1;
/** Messages per `batch` frame during the session start. */
export const MAX_BATCH_MESSAGES = 500;
/** Messages sent for a conversation the client has no cursor for. */
export const INITIAL_MESSAGES_WITHOUT_CURSOR = 50;
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 100;
export const USER_SEARCH_MAX_RESULTS = 20;
/** The longest `users` query the relay takes, in UTF-16 units (zod's string length). */
export const USER_SEARCH_MAX_QUERY_LENGTH = 64;
/** Users one user may block at most (the whole list travels in one `privacy` frame). */
export const MAX_BLOCKED_USERS = 100;
/** Who may add a user to groups: anyone, only users they share a direct conversation with, or nobody. */
export const GROUP_ADD_POLICIES = ['everyone', 'contacts', 'nobody'] as const;
export type GroupAddPolicy = (typeof GROUP_ADD_POLICIES)[number];
/** File ids are the relay's: 24 characters of base64url (PROTOCOL.md, "Files"). */
export const FILE_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;
/** The largest `thumb` data URL of a message's file, in characters (all ASCII). */
export const MAX_THUMB_LENGTH = 12 * 1024;
/** A `thumb` is a base64 data URL of a JPEG or WebP image, nothing else (no SVG, no remote URL). */
export const THUMB_PATTERN = /^data:image\/(?:jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
/** Bounds of `width`/`height` (pixels) and `durationMs` a sender may declare. */
export const MAX_MEDIA_DIMENSION = 100_000;
export const MAX_MEDIA_DURATION_MS = 7 * 24 * 3_600_000;
/** A file name, in UTF-8 bytes, as most file systems allow. */
export const MAX_FILE_NAME_BYTES = 255;
export const FILES_PATH = '/api/files';
/** The relay's default `fileBytes`: the largest file the apps offer to send (100 MiB). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** The kinds of change a `send` can make to an earlier message (docs/protocol.md, "Changes to messages"); an absent `kind` is an ordinary message. */
export const MESSAGE_CHANGE_KINDS = ['edit', 'delete', 'react'] as const;
export type MessageChangeKind = (typeof MESSAGE_CHANGE_KINDS)[number];
/** How long after it was sent its author may edit a message (48 hours, as Signal and Telegram allow). Deleting has no window. */
export const EDIT_WINDOW_MS = 48 * 3_600_000;
/** The longest reaction, in code points: room for every emoji ZWJ sequence and tag flag (the longest standard ones have 10). */
export const MAX_REACTION_CODE_POINTS = 16;
/**
 * Reactions one message may hold: as many as a group has members. Members who
 * left keep theirs, so without a cap the map (and the MSG carrying it) could
 * grow past any frame; a new reactor beyond it is refused `nack invalid`.
 */
export const MAX_REACTIONS_PER_MESSAGE = MAX_GROUP_MEMBERS;
/** The most bytes `reactions` adds to a MSG: every entry at its longest (a UUID user id, an emoji of 4-byte code points). */
export const MAX_REACTIONS_BYTES = `,"reactions":{}`.length + MAX_REACTIONS_PER_MESSAGE * (`"":"",`.length + 36 + 4 * MAX_REACTION_CODE_POINTS);
/** The latest `mutedUntil` a chat state takes: 9999-12-31T23:59:59.999Z, which
 * clients send for "mute always" (docs/protocol.md, "Chat state"). */
export const MUTED_FOREVER = 253_402_300_799_999;
/** A profile or group photo: an image of at most this many bytes (docs/protocol.md, "Profiles"). */
export const MAX_PHOTO_BYTES = 1024 * 1024;
/** The media types a photo may have: what every browser shows in an img. */
export const PHOTO_MEDIA_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];
/** How long a client keeps a remote typing state that was not refreshed. */
export const TYPING_EXPIRY_MS = 6_000;

export const CLOSE_CODES = {
  normal: 1000,
  binaryFrame: 1003,
  tooManyBadFrames: 1008,
  /** No `hello` within the hello timeout: a policy violation like bad frames, not
   * a verdict on the token, so the client reconnects (docs/protocol.md, "Session start"). */
  noHelloInTime: 1008,
  frameTooLarge: 1009,
  /** The relay failed to start the session (an internal error); reconnect with backoff. */
  internalError: 1011,
  relayRestarting: 1012,
  overloaded: 1013,
  unauthorized: 4001,
  unsupportedVersion: 4002,
} as const;

/** The reason of a 4001 close when the user signed this device out from another (docs/protocol.md, "Devices"). */
export const SIGNED_OUT_ELSEWHERE = 'signed out from another device';

/** The reason of a 4001 close for the other devices of a user who changed their password and signed them out. */
export const PASSWORD_CHANGED = 'password changed';

/** The reason of a 4001 close for the devices of a user whose account was deleted (docs/protocol.md, "Deleting an account"). */
export const ACCOUNT_DELETED = 'account deleted';

/** The display name a deleted account shows under its old messages (docs/protocol.md, "Deleting an account"). */
export const DELETED_ACCOUNT_NAME = 'Deleted account';

/** Close codes after which a client must stop reconnecting. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.unauthorized,
  CLOSE_CODES.unsupportedVersion,
]);

export const ERROR_CODES = [
  'bad_frame',
  'unauthenticated',
  'not_found',
  'forbidden',
  'invalid',
  'rate_limited',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** `rate_limited` and `unavailable` are not final: the client sends the same cid again later, in order. */
export const NACK_CODES = ['not_found', 'invalid', 'forbidden', 'rate_limited', 'unavailable'] as const;
export type NackCode = (typeof NACK_CODES)[number];
/** Nacks after which the client sends the same cid again later, in order
 * (docs/protocol.md, "Sending several at once"); the others are final. */
export const RETRYABLE_NACK_CODES: ReadonlySet<NackCode> = new Set(['rate_limited', 'unavailable']);
