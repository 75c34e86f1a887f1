// The objects that frames carry (docs/protocol.md), as zod schemas.
// Unknown fields are stripped rather than refused so that additive protocol
// extensions do not break older peers.
import { z } from 'zod';

export const seqSchema = z.number().int().nonnegative();
export const timestampSchema = z.number().int().nonnegative();
export const idSchema = z.string().min(1).max(128);

export const userSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const receiptWatermarksSchema = z.object({
  delivered: seqSchema,
  read: seqSchema,
});
export type ReceiptWatermarks = z.infer<typeof receiptWatermarksSchema>;

export const conversationKindSchema = z.enum(['direct', 'group']);
export type ConversationKind = z.infer<typeof conversationKindSchema>;

export const conversationSchema = z.object({
  id: idSchema,
  kind: conversationKindSchema,
  title: z.string().nullable(),
  members: z.array(userSchema),
  lastSeq: seqSchema,
  receipts: z.record(z.string(), receiptWatermarksSchema),
  createdAt: timestampSchema,
  // Set when `members` and `receipts` hold only the first part of a
  // conversation too large for one frame: `members` frames with the rest
  // follow at once (docs/protocol.md, "Large conversations").
  partial: z.literal(true).optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const messageSchema = z.object({
  conv: idSchema,
  seq: z.number().int().positive(),
  cid: z.string(),
  from: idSchema,
  body: z.string(),
  ts: timestampSchema,
  replyTo: z.number().int().positive().optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const presenceSchema = z.object({
  user: idSchema,
  online: z.boolean(),
  lastSeen: timestampSchema.optional(),
});
export type Presence = z.infer<typeof presenceSchema>;
