// Every frame of the protocol (docs/protocol.md) in both directions, as zod schemas, and the
// TypeScript types inferred from them. Shape only: checks that need state
// (membership, deduplication) or that the protocol answers with another code
// than `bad_frame` (blank bodies, title lengths) belong to the relay.
import { z } from 'zod';
import { CID_PATTERN, ERROR_CODES, GROUP_ADD_POLICIES, NACK_CODES, USER_SEARCH_MAX_QUERY_LENGTH } from './constants.ts';
import {
  conversationSchema,
  deviceSchema,
  fileIdSchema,
  fileRefSchema,
  idSchema,
  messageSchema,
  presenceSchema,
  receiptWatermarksSchema,
  chatStateSchema,
  seqSchema,
  timestampSchema,
  userSchema,
} from './objects.ts';

const rid = z.string().min(1).max(64);
const positiveSeq = z.number().int().positive();

// ---- client → relay ----

export const helloFrameSchema = z.object({
  t: z.literal('hello'),
  // Any number is accepted here so that the relay can answer an unknown
  // version with close 4002 instead of `bad_frame`.
  v: z.number(),
  token: z.string(),
  cursors: z.record(idSchema, seqSchema).default({}),
});

export const sendFrameSchema = z.object({
  t: z.literal('send'),
  cid: z.string().regex(CID_PATTERN, 'must be 8..64 characters of [A-Za-z0-9_-]'),
  conv: idSchema,
  // A `delete` needs no body; a missing one is "" (for an ordinary message
  // that is a blank body, refused `nack invalid` like one sent blank).
  body: z.string().default(''),
  replyTo: positiveSeq.optional(),
  file: fileRefSchema.optional(),
  // One of MESSAGE_CHANGE_KINDS, or absent for an ordinary message. Any short
  // string passes the shape, so that a kind this relay does not know is
  // answered `nack invalid` with the cid (final for it) instead of
  // `bad_frame`, which would leave a newer client's outbox waiting forever.
  kind: z.string().min(1).max(32).optional(),
  target: positiveSeq.optional(),
  forwarded: z.literal(true).optional(),
});

export const receiptFrameSchema = z.object({
  t: z.literal('receipt'),
  conv: idSchema,
  delivered: seqSchema.optional(),
  read: seqSchema.optional(),
});

export const typingFrameSchema = z.object({
  t: z.literal('typing'),
  conv: idSchema,
  on: z.boolean(),
});

export const createDirectFrameSchema = z.object({
  t: z.literal('create'),
  rid,
  kind: z.literal('direct'),
  with: idSchema,
});

export const createGroupFrameSchema = z.object({
  t: z.literal('create'),
  rid,
  kind: z.literal('group'),
  title: z.string(),
  members: z.array(idSchema),
});

export const addFrameSchema = z.object({
  t: z.literal('add'),
  rid,
  conv: idSchema,
  users: z.array(idSchema),
});

export const leaveFrameSchema = z.object({ t: z.literal('leave'), rid, conv: idSchema });

export const renameFrameSchema = z.object({
  t: z.literal('rename'),
  rid,
  conv: idSchema,
  title: z.string(),
});

export const historyRequestFrameSchema = z.object({
  t: z.literal('history'),
  rid,
  conv: idSchema,
  before: positiveSeq.optional(),
  limit: z.number().int().optional(),
});

export const usersRequestFrameSchema = z.object({
  t: z.literal('users'),
  rid,
  q: z.string().max(USER_SEARCH_MAX_QUERY_LENGTH),
});

export const pingFrameSchema = z.object({ t: z.literal('ping'), rid: rid.optional() });

// Privacy (additions to the protocol, docs/protocol.md "Privacy"): blocking a
// user, and who may add the user to groups. Each is answered with the
// user's whole `privacy` state on every socket of theirs.
export const blockFrameSchema = z.object({ t: z.literal('block'), rid, user: idSchema });
export const unblockFrameSchema = z.object({ t: z.literal('unblock'), rid, user: idSchema });
export const groupAddPolicySchema = z.enum(GROUP_ADD_POLICIES);
export const privacyRequestFrameSchema = z.object({
  t: z.literal('privacy'),
  rid,
  groupAdds: groupAddPolicySchema.optional(),
});

// Chat state (docs/protocol.md, "Chat state"): pin, archive and mute of one
// conversation, set by its user. Absent fields stay as they are; the relay
// judges `mutedUntil` against its clock (`invalid` when past or beyond
// MUTED_FOREVER), so the schema only checks its type.
export const chatStateRequestFrameSchema = z.object({
  t: z.literal('chatstate'),
  rid: rid.optional(),
  conv: idSchema,
  pinned: z.boolean().optional(),
  archived: z.boolean().optional(),
  mutedUntil: timestampSchema.nullable().optional(),
});

// Devices (additions to the protocol, docs/protocol.md "Devices"): the
// user's sign-ins, and signing one or all the others out. Each is answered
// with the `devices` list as it is afterwards.
export const devicesRequestFrameSchema = z.object({ t: z.literal('devices'), rid });
export const signOutFrameSchema = z.union([
  z.strictObject({ t: z.literal('sign_out'), rid, device: z.string().min(1).max(64) }),
  z.strictObject({ t: z.literal('sign_out'), rid, others: z.literal(true) }),
]);

// Profiles (an addition to the protocol, docs/protocol.md "Profiles"): the
// user's display name and "about" line, changed by the user and announced
// to everyone who shares a conversation with them. Lengths here bound the
// frame; the content rules answer `invalid`.
export const profileFrameSchema = z.object({
  t: z.literal('profile'),
  rid,
  displayName: z.string().max(1024).optional(),
  about: z.string().max(1024).optional(),
  // A finished upload of the user's own to show as their photo; null removes it.
  photo: fileIdSchema.nullable().optional(),
});

/** A group's photo, set by any member; answered with `conv` like `rename`. */
export const groupPhotoFrameSchema = z.object({
  t: z.literal('group_photo'),
  rid,
  conv: idSchema,
  photo: fileIdSchema.nullable(),
});

export type HelloFrame = z.infer<typeof helloFrameSchema>;
export type SendFrame = z.infer<typeof sendFrameSchema>;
export type ReceiptFrame = z.infer<typeof receiptFrameSchema>;
export type TypingFrame = z.infer<typeof typingFrameSchema>;
export type CreateDirectFrame = z.infer<typeof createDirectFrameSchema>;
export type CreateGroupFrame = z.infer<typeof createGroupFrameSchema>;
export type CreateFrame = CreateDirectFrame | CreateGroupFrame;
export type AddFrame = z.infer<typeof addFrameSchema>;
export type LeaveFrame = z.infer<typeof leaveFrameSchema>;
export type RenameFrame = z.infer<typeof renameFrameSchema>;
export type HistoryRequestFrame = z.infer<typeof historyRequestFrameSchema>;
export type UsersRequestFrame = z.infer<typeof usersRequestFrameSchema>;
export type PingFrame = z.infer<typeof pingFrameSchema>;
export type BlockFrame = z.infer<typeof blockFrameSchema>;
export type UnblockFrame = z.infer<typeof unblockFrameSchema>;
export type PrivacyRequestFrame = z.infer<typeof privacyRequestFrameSchema>;
export type ChatStateRequestFrame = z.infer<typeof chatStateRequestFrameSchema>;
export type DevicesRequestFrame = z.infer<typeof devicesRequestFrameSchema>;
export type SignOutFrame = z.infer<typeof signOutFrameSchema>;
export type ProfileFrame = z.infer<typeof profileFrameSchema>;
export type GroupPhotoFrame = z.infer<typeof groupPhotoFrameSchema>;

export type ClientFrame =
  | HelloFrame
  | SendFrame
  | ReceiptFrame
  | TypingFrame
  | CreateFrame
  | AddFrame
  | LeaveFrame
  | RenameFrame
  | HistoryRequestFrame
  | UsersRequestFrame
  | PingFrame
  | BlockFrame
  | UnblockFrame
  | PrivacyRequestFrame
  | ChatStateRequestFrame
  | DevicesRequestFrame
  | SignOutFrame
  | ProfileFrame
  | GroupPhotoFrame;

// `create` has two shapes told apart by `kind`, so it gets a nested union.
const createFrameSchema = z.discriminatedUnion('kind', [createDirectFrameSchema, createGroupFrameSchema]);

export const clientFrameSchemas = {
  hello: helloFrameSchema,
  send: sendFrameSchema,
  receipt: receiptFrameSchema,
  typing: typingFrameSchema,
  create: createFrameSchema,
  add: addFrameSchema,
  leave: leaveFrameSchema,
  rename: renameFrameSchema,
  history: historyRequestFrameSchema,
  users: usersRequestFrameSchema,
  ping: pingFrameSchema,
  block: blockFrameSchema,
  unblock: unblockFrameSchema,
  privacy: privacyRequestFrameSchema,
  chatstate: chatStateRequestFrameSchema,
  devices: devicesRequestFrameSchema,
  sign_out: signOutFrameSchema,
  profile: profileFrameSchema,
  group_photo: groupPhotoFrameSchema,
} as const satisfies Record<ClientFrame['t'], z.ZodType>;

// ---- relay → client ----

export const welcomeFrameSchema = z.object({
  t: z.literal('welcome'),
  user: userSchema,
  serverTime: timestampSchema,
  conversations: z.array(conversationSchema),
  presence: z.array(presenceSchema),
  // True when `convs` frames with more conversations and presence follow
  // (the welcome is paged to fit in a frame); absent or false: complete.
  more: z.boolean().optional(),
});

/** The welcome's next page; the last one has `more: false`. */
export const convsFrameSchema = z.object({
  t: z.literal('convs'),
  conversations: z.array(conversationSchema),
  presence: z.array(presenceSchema),
  more: z.boolean(),
});

/** The rest of a conversation sent `partial`: more members and their watermarks. */
export const membersFrameSchema = z.object({
  t: z.literal('members'),
  conv: idSchema,
  members: z.array(userSchema),
  receipts: z.record(z.string(), receiptWatermarksSchema),
  more: z.boolean(),
});

export const batchFrameSchema = z.object({
  t: z.literal('batch'),
  conv: idSchema,
  msgs: z.array(messageSchema),
  more: z.boolean(),
});

export const syncedFrameSchema = z.object({ t: z.literal('synced') });

export const ackFrameSchema = z.object({ t: z.literal('ack'), cid: z.string(), msg: messageSchema });

export const msgFrameSchema = z.object({ t: z.literal('msg'), msg: messageSchema });

export const nackFrameSchema = z.object({
  t: z.literal('nack'),
  cid: z.string(),
  code: z.enum(NACK_CODES),
  message: z.string(),
});

export const receiptUpdateFrameSchema = z.object({
  t: z.literal('receipt'),
  conv: idSchema,
  user: idSchema,
  delivered: seqSchema,
  read: seqSchema,
});

export const typingUpdateFrameSchema = z.object({
  t: z.literal('typing'),
  conv: idSchema,
  user: idSchema,
  on: z.boolean(),
});

export const presenceFrameSchema = presenceSchema.extend({ t: z.literal('presence') });

export const convFrameSchema = z.object({ t: z.literal('conv'), rid: rid.optional(), conv: conversationSchema });

export const leftFrameSchema = z.object({ t: z.literal('left'), rid: rid.optional(), conv: idSchema });

export const historyResultFrameSchema = z.object({
  t: z.literal('history'),
  rid,
  conv: idSchema,
  msgs: z.array(messageSchema),
  more: z.boolean(),
});

export const usersResultFrameSchema = z.object({ t: z.literal('users'), rid, users: z.array(userSchema) });

export const pongFrameSchema = z.object({ t: z.literal('pong'), rid: rid.optional() });

export const errorFrameSchema = z.object({
  t: z.literal('error'),
  rid: rid.optional(),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  // The users a `create` or `add` could not include (their privacy
  // settings, or too many conversations): an addition to the protocol.
  users: z.array(idSchema).optional(),
});

/** A user's privacy settings: who may add them to groups, and whom they
 * blocked, oldest block first (docs/protocol.md, "Privacy"). The relay's
 * store, the engine and the UI all use this one type. */
export const privacySettingsSchema = z.object({
  groupAdds: groupAddPolicySchema,
  blocked: z.array(userSchema),
});
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

/** The user's privacy state: the answer to block, unblock and privacy, and after the welcome when not the default. */
export const privacyFrameSchema = privacySettingsSchema.extend({
  t: z.literal('privacy'),
  rid: rid.optional(),
});

/** The user's whole chat state of a conversation: the answer to `chatstate`, on every socket of theirs. */
export const chatStateFrameSchema = chatStateSchema.extend({
  t: z.literal('chatstate'),
  rid: rid.optional(),
  conv: idSchema,
});

/** The user's devices, oldest sign-in first: the answer to `devices` and `sign_out`. */
export const devicesFrameSchema = z.object({ t: z.literal('devices'), rid, devices: z.array(deviceSchema) });

/** A user's profile as it is now: the answer to `profile`, and sent to the
 * user's other sockets and to everyone sharing a conversation with them. */
export const userFrameSchema = z.object({ t: z.literal('user'), rid: rid.optional(), user: userSchema });

export type WelcomeFrame = z.infer<typeof welcomeFrameSchema>;
export type ConvsFrame = z.infer<typeof convsFrameSchema>;
export type MembersFrame = z.infer<typeof membersFrameSchema>;
export type BatchFrame = z.infer<typeof batchFrameSchema>;
export type SyncedFrame = z.infer<typeof syncedFrameSchema>;
export type AckFrame = z.infer<typeof ackFrameSchema>;
export type MsgFrame = z.infer<typeof msgFrameSchema>;
export type NackFrame = z.infer<typeof nackFrameSchema>;
export type ReceiptUpdateFrame = z.infer<typeof receiptUpdateFrameSchema>;
export type TypingUpdateFrame = z.infer<typeof typingUpdateFrameSchema>;
export type PresenceFrame = z.infer<typeof presenceFrameSchema>;
export type ConvFrame = z.infer<typeof convFrameSchema>;
export type LeftFrame = z.infer<typeof leftFrameSchema>;
export type HistoryResultFrame = z.infer<typeof historyResultFrameSchema>;
export type UsersResultFrame = z.infer<typeof usersResultFrameSchema>;
export type PongFrame = z.infer<typeof pongFrameSchema>;
export type ErrorFrame = z.infer<typeof errorFrameSchema>;
export type PrivacyFrame = z.infer<typeof privacyFrameSchema>;
export type ChatStateFrame = z.infer<typeof chatStateFrameSchema>;
export type DevicesFrame = z.infer<typeof devicesFrameSchema>;
export type UserFrame = z.infer<typeof userFrameSchema>;

export type RelayFrame =
  | WelcomeFrame
  | ConvsFrame
  | MembersFrame
  | BatchFrame
  | SyncedFrame
  | AckFrame
  | MsgFrame
  | NackFrame
  | ReceiptUpdateFrame
  | TypingUpdateFrame
  | PresenceFrame
  | ConvFrame
  | LeftFrame
  | HistoryResultFrame
  | UsersResultFrame
  | PongFrame
  | ErrorFrame
  | PrivacyFrame
  | ChatStateFrame
  | DevicesFrame
  | UserFrame;

export const relayFrameSchemas = {
  welcome: welcomeFrameSchema,
  convs: convsFrameSchema,
  members: membersFrameSchema,
  batch: batchFrameSchema,
  synced: syncedFrameSchema,
  ack: ackFrameSchema,
  msg: msgFrameSchema,
  nack: nackFrameSchema,
  receipt: receiptUpdateFrameSchema,
  typing: typingUpdateFrameSchema,
  presence: presenceFrameSchema,
  conv: convFrameSchema,
  left: leftFrameSchema,
  history: historyResultFrameSchema,
  users: usersResultFrameSchema,
  pong: pongFrameSchema,
  error: errorFrameSchema,
  privacy: privacyFrameSchema,
  chatstate: chatStateFrameSchema,
  devices: devicesFrameSchema,
  user: userFrameSchema,
} as const satisfies Record<RelayFrame['t'], z.ZodType>;
