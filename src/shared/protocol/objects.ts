// The objects that frames carry (docs/protocol.md), as zod schemas.
// Unknown fields are stripped rather than refused so that additive protocol
// extensions do not break older peers.
import { z } from 'zod';
import { FILE_ID_PATTERN, MAX_MEDIA_DIMENSION, MAX_MEDIA_DURATION_MS, MESSAGE_CHANGE_KINDS } from './constants.ts';

export const seqSchema = z.number().int().nonnegative();
export const timestampSchema = z.number().int().nonnegative();
export const idSchema = z.string().min(1).max(128);

export const fileIdSchema = z.string().regex(FILE_ID_PATTERN, 'must be a file id of the relay');

export const userSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  // The profile's "about" line and photo (a file id); absent when none
  // (docs/protocol.md, "Profiles").
  about: z.string().optional(),
  photo: fileIdSchema.optional(),
});
export type User = z.infer<typeof userSchema>;

export const receiptWatermarksSchema = z.object({
  delivered: seqSchema,
  read: seqSchema,
});
export type ReceiptWatermarks = z.infer<typeof receiptWatermarksSchema>;

export const conversationKindSchema = z.enum(['direct', 'group']);
export type ConversationKind = z.infer<typeof conversationKindSchema>;

/** The user's own settings for a conversation, which follow them to every
 * device (docs/protocol.md, "Chat state"). `mutedUntil` null: not muted;
 * a time in the past is not muted either. */
export const chatStateSchema = z.object({
  pinned: z.boolean(),
  archived: z.boolean(),
  mutedUntil: timestampSchema.nullable(),
});
export type ChatState = z.infer<typeof chatStateSchema>;

/** A conversation's state before the user has changed any of it. */
export const DEFAULT_CHAT_STATE: Readonly<ChatState> = Object.freeze({ pinned: false, archived: false, mutedUntil: null });

/** Whether a chat state mutes its conversation at `now`. */
export function isMuted(state: ChatState, now: number): boolean {
  return state.mutedUntil !== null && state.mutedUntil > now;
}

export const conversationSchema = z.object({
  id: idSchema,
  kind: conversationKindSchema,
  title: z.string().nullable(),
  members: z.array(userSchema),
  lastSeq: seqSchema,
  receipts: z.record(z.string(), receiptWatermarksSchema),
  createdAt: timestampSchema,
  // A group's photo (a file id), set by its members (docs/protocol.md, "Profiles").
  photo: fileIdSchema.optional(),
  // Set when `members` and `receipts` hold only the first part of a
  // conversation too large for one frame: `members` frames with the rest
  // follow at once (docs/protocol.md, "Large conversations").
  partial: z.literal(true).optional(),
  // The recipient's own chat state; the relay sets it on every CONV it sends.
  mine: chatStateSchema.optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;


/** What a sender says about the file a message carries (`send.file`). */
export const fileRefSchema = z.object({
  id: fileIdSchema,
  width: z.number().int().positive().max(MAX_MEDIA_DIMENSION).optional(),
  height: z.number().int().positive().max(MAX_MEDIA_DIMENSION).optional(),
  durationMs: z.number().int().nonnegative().max(MAX_MEDIA_DURATION_MS).optional(),
  // Its format and size (THUMB_PATTERN, MAX_THUMB_LENGTH) are the relay's
  // content rules, answered with `nack` `invalid` like a blank body.
  thumb: z.string().optional(),
});
export type FileRef = z.infer<typeof fileRefSchema>;

/** `MSG.file`: the sender's description plus the relay's record of the upload. */
export const messageFileSchema = fileRefSchema.extend({
  name: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
});
export type MessageFile = z.infer<typeof messageFileSchema>;

export const messageSchema = z.object({
  conv: idSchema,
  seq: z.number().int().positive(),
  cid: z.string(),
  from: idSchema,
  body: z.string(),
  ts: timestampSchema,
  replyTo: z.number().int().positive().optional(),
  file: messageFileSchema.optional(),
  // A change to an earlier message (docs/protocol.md, "Changes to messages"):
  // `kind` and the `target` seq it changes; absent on ordinary messages.
  kind: z.enum(MESSAGE_CHANGE_KINDS).optional(),
  target: z.number().int().positive().optional(),
  forwarded: z.literal(true).optional(),
  // The current state of an ordinary message, as the relay serves it now.
  editedAt: timestampSchema.optional(),
  deleted: z.literal(true).optional(),
  /** USER_ID → that user's one reaction; absent while there are none. */
  reactions: z.record(idSchema, z.string()).optional(),
});
export type Message = z.infer<typeof messageSchema>;

/** One sign-in of the user: a token, on one device (docs/protocol.md, "Devices"). */
export const deviceSchema = z.object({
  id: z.string(),
  /** What the app said at sign-in ("Duplex on Linux", "Chromium on Linux"). */
  name: z.string(),
  createdAt: timestampSchema,
  /** When it was last used, to about the hour. */
  lastActiveAt: timestampSchema,
  /** The client address it signed in or last connected from. */
  address: z.string(),
  /** The device asking. */
  current: z.boolean(),
});
export type Device = z.infer<typeof deviceSchema>;

export const presenceSchema = z.object({
  user: idSchema,
  online: z.boolean(),
  lastSeen: timestampSchema.optional(),
});
export type Presence = z.infer<typeof presenceSchema>;
