// The one table of DuplexApi's request methods (api.ts): for each, the zod
// schema of its argument list, the schema of what it resolves with, and who
// answers it. Everything that carries a call is derived from it or checked
// against it:
//
// - the engine (engine/engine.ts) validates every call's arguments here, so
//   validation is the same on the desktop (behind IPC) and the web (in the
//   page), and hands the session's methods to the signed-in UserSession
//   without a method of its own for each;
// - the desktop main process validates each IPC request with the same
//   schemas before the engine sees it (src/main/desktop-app.ts);
// - the preload's method list is typed against this table, and
//   test/shared/api-methods.test.ts fails if the preload, the engine or the
//   renderer's test fake lacks a method, while the fake checks its every
//   answer against the result schemas.
//
// Adding an operation: its signature in DuplexApi, a row here, and its
// implementation (in UserSession for a `session` method).
//
// The schemas check shape and bound sizes; rules that give the user an answer
// (a blank message, a title too long, an unknown user) belong to the engine
// and the relay, which answer them properly.
import { z } from 'zod';
import type {
  Account,
  AccountDeletionResult,
  AuthErrorCode,
  AuthResult,
  ChatFile,
  ChatMessage,
  ConnectionState,
  ConnectionStatus,
  ConversationSummary,
  DuplexApi,
  FileDraft,
  FileKind,
  MessagePage,
  MessageSearchHit,
  MessageStatus,
  PasswordChange,
  PasswordChangeResult,
  ProfileChanges,
  StopReason,
} from './api.ts';
import type { InvokeMethod } from './desktop-api.ts';
import { MAX_RELAY_URLS } from './engine/relay-url.ts';
import {
  chatStateSchema,
  CID_PATTERN,
  conversationKindSchema,
  deviceSchema,
  fileIdSchema,
  MAX_FILE_NAME_BYTES,
  MAX_MEDIA_DIMENSION,
  MAX_MEDIA_DURATION_MS,
  MAX_THUMB_LENGTH,
  MAX_UPLOAD_BYTES,
  GROUP_ADD_POLICIES,
  idSchema,
  MAX_FRAME_BYTES,
  MAX_GROUP_MEMBERS,
  MAX_PHOTO_BYTES,
  MUTED_FOREVER,
  presenceSchema,
  privacySettingsSchema,
  receiptWatermarksSchema,
  seqSchema,
  userSchema,
} from './protocol/index.ts';

type ArgumentsOf<F> = F extends (...args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

/** One schema per request method, for the method's argument list. */
export type ArgumentSchemas<Api> = { [M in InvokeMethod<Api>]: z.ZodType<ArgumentsOf<Api[M]>> };

export interface MethodSpec<Args, Result> {
  /** The argument list: a tuple, which also refuses extra arguments. */
  args: z.ZodType<Args>;
  result: z.ZodType<Result>;
  /** `engine`: the account and connection, answered with or without a
   * user; `session`: needs a signed-in user, answered by their session. */
  answeredBy: 'engine' | 'session';
}

export type MethodTable<Api> = { [M in InvokeMethod<Api>]: MethodSpec<ArgumentsOf<Api[M]>, ResultOf<Api[M]>> };

// ---- arguments ----

/** Message bodies and drafts: no longer than the largest frame. */
const text = z.string().max(MAX_FRAME_BYTES);
/** Names, titles, credentials, URLs, search queries. */
const shortText = z.string().max(2048);
const cid = z.string().regex(CID_PATTERN);
const userIds = z.array(idSchema).max(MAX_GROUP_MEMBERS);
/** A seq the user points at (read up to, reply to, page below): never 0. */
const positiveSeq = z.number().int().positive();
const none = z.tuple([]);
/** The relay refuses a mute that has ended; the engine judges that against the clock. */
const chatStateChange = z.strictObject({
  pinned: z.boolean().optional(),
  archived: z.boolean().optional(),
  mutedUntil: z.number().int().nonnegative().max(MUTED_FOREVER).nullable().optional(),
});
const messageRef = z.strictObject({ cid, seq: positiveSeq.nullable() });
/** File bytes: a Uint8Array (IPC's structured clone keeps it one) no larger
 * than the relay takes. */
const fileBytes = z
  .instanceof(Uint8Array)
  .refine((bytes) => bytes.byteLength <= MAX_UPLOAD_BYTES, `at most ${MAX_UPLOAD_BYTES} bytes`);
const mediaDimension = z.number().int().positive().max(MAX_MEDIA_DIMENSION);
const fileFacts = {
  // UTF-16 units bound the UTF-8 bytes at three times as many: the relay
  // shortens a longer name by its own rule (docs/protocol.md, "Files").
  name: z.string().min(1).max(MAX_FILE_NAME_BYTES * 3),
  mime: z.string().max(255),
  width: mediaDimension.optional(),
  height: mediaDimension.optional(),
  durationMs: z.number().int().nonnegative().max(MAX_MEDIA_DURATION_MS).optional(),
  thumb: z.string().max(MAX_THUMB_LENGTH).optional(),
};
const fileDraft = z.strictObject({
  ...fileFacts,
  bytes: fileBytes,
  caption: text,
  replyTo: positiveSeq.optional(),
}) satisfies z.ZodType<FileDraft>;
/** A photo the UI made: bytes, no more than the relay takes. */
const photoBytes = z.instanceof(Uint8Array).refine((bytes) => bytes.length <= MAX_PHOTO_BYTES, `at most ${MAX_PHOTO_BYTES} bytes`);

const signInRequest = z.strictObject({
  relayUrl: shortText.optional(),
  // Checked one by one (and for duplicates) by the engine; bounded here.
  otherRelayUrls: z.array(shortText).max(MAX_RELAY_URLS).optional(),
  username: shortText,
  password: shortText,
});

// ---- results ----

/** A zod enum of every member of the string union T: a member missing from
 * `values` (one added to the type later, say) is a type error here, so the
 * result schemas cannot fall behind api.ts. */
function enumOf<T extends string>() {
  return <const V extends readonly [T, ...T[]]>(values: V & ([Exclude<T, V[number]>] extends [never] ? unknown : never)) =>
    z.enum(values);
}

const accountSchema = z.object({ user: userSchema, relayUrl: z.string(), relayUrls: z.array(z.string()) }) satisfies z.ZodType<Account>;

const connectionStatusSchema = z.object({
  state: enumOf<ConnectionState>()(['offline', 'connecting', 'syncing', 'online']),
  nextRetryAt: z.number().nullable(),
  lastCloseReason: z.string().nullable(),
  stopped: enumOf<StopReason>()(['signed_out', 'update_needed']).nullable(),
  relayUrl: z.string().nullable(),
}) satisfies z.ZodType<ConnectionStatus>;

const authFailureSchema = z.object({
  ok: z.literal(false),
  code: enumOf<AuthErrorCode>()([
    'bad_credentials',
    'taken',
    'invalid',
    'registration_closed',
    'rate_limited',
    'busy',
    'account_disabled',
    'unauthorized',
    'unreachable',
    'internal',
  ]),
  message: z.string(),
});

const authResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), account: accountSchema }),
  authFailureSchema,
]) satisfies z.ZodType<AuthResult>;

const passwordChangeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  authFailureSchema,
]) satisfies z.ZodType<PasswordChangeResult>;

const accountDeletionResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  authFailureSchema,
]) satisfies z.ZodType<AccountDeletionResult>;

const passwordChange = z.strictObject({
  currentPassword: shortText,
  newPassword: shortText,
  signOutOthers: z.boolean(),
}) satisfies z.ZodType<PasswordChange>;

const chatMessageSchema = z.object({
  conv: idSchema,
  cid: z.string(),
  seq: positiveSeq.nullable(),
  from: idSchema,
  body: z.string(),
  ts: z.number(),
  replyTo: positiveSeq.optional(),
  forwarded: z.literal(true).optional(),
  editedAt: z.number().optional(),
  deleted: z.literal(true).optional(),
  reactions: z.record(z.string(), z.string()).optional(),
  mine: z.boolean(),
  status: enumOf<MessageStatus>()(['queued', 'sent', 'delivered', 'read', 'failed']).optional(),
  error: z.string().optional(),
  file: z
    .object({ ...fileFacts, id: fileIdSchema.optional(), size: z.number().int().nonnegative() })
    .optional() satisfies z.ZodType<ChatFile | undefined>,
  fileKind: enumOf<FileKind>()(['photo', 'voice', 'document']).optional(),
  summary: z.string().optional(),
  mentions: z.array(z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative(), user: idSchema })).optional(),
}) satisfies z.ZodType<ChatMessage>;

const conversationSummarySchema = z.object({
  id: idSchema,
  kind: conversationKindSchema,
  title: z.string(),
  peerId: idSchema.nullable(),
  photo: fileIdSchema.nullable(),
  members: z.array(userSchema),
  lastSeq: seqSchema,
  receipts: z.record(z.string(), receiptWatermarksSchema),
  unread: z.number().int().nonnegative(),
  lastMessage: chatMessageSchema.nullable(),
  lastReaction: z.object({ from: idSchema, emoji: z.string(), body: z.string(), seq: positiveSeq }).optional(),
  lastActivity: z.number(),
  draft: z.string(),
  hasMoreHistory: z.boolean(),
  chatState: chatStateSchema,
}) satisfies z.ZodType<ConversationSummary>;

const messagePageSchema = z.object({
  messages: z.array(chatMessageSchema),
  hasMoreLocal: z.boolean(),
}) satisfies z.ZodType<MessagePage>;

const messageSearchHitSchema = z.object({
  message: chatMessageSchema,
  highlights: z.array(z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() })),
}) satisfies z.ZodType<MessageSearchHit>;

/** The most search results one call returns. */
export const MAX_SEARCH_RESULTS = 200;

const nothing = z.undefined();

function engine<A, R>(args: z.ZodType<A>, result: z.ZodType<R>): MethodSpec<A, R> & { answeredBy: 'engine' } {
  return { args, result, answeredBy: 'engine' };
}

function session<A, R>(args: z.ZodType<A>, result: z.ZodType<R>): MethodSpec<A, R> & { answeredBy: 'session' } {
  return { args, result, answeredBy: 'session' };
}

export const duplexMethods = {
  // ---- account ----
  getAccount: engine(none, accountSchema.nullable()),
  signIn: engine(z.tuple([signInRequest]), authResultSchema),
  register: engine(z.tuple([signInRequest.extend({ displayName: shortText.optional() })]), authResultSchema),
  signOut: engine(none, nothing),
  changePassword: engine(z.tuple([passwordChange]), passwordChangeResultSchema),
  deleteAccount: engine(z.tuple([shortText]), accountDeletionResultSchema),
  downloadMyData: engine(none, z.instanceof(Uint8Array)),

  // ---- connection ----
  getStatus: engine(none, connectionStatusSchema),
  retryNow: engine(none, nothing),

  // ---- conversations ----
  listConversations: session(none, z.array(conversationSummarySchema)),
  getMessages: session(
    z.tuple([idSchema, z.strictObject({ beforeSeq: positiveSeq.optional(), limit: z.number().int().min(1).max(1000) })]),
    messagePageSchema,
  ),
  loadOlder: session(z.tuple([idSchema]), z.number().int().nonnegative()),
  createDirect: session(z.tuple([idSchema]), conversationSummarySchema),
  createGroup: session(z.tuple([shortText, userIds]), conversationSummarySchema),
  addMembers: session(z.tuple([idSchema, userIds]), conversationSummarySchema),
  leave: session(z.tuple([idSchema]), nothing),
  rename: session(z.tuple([idSchema, shortText]), conversationSummarySchema),
  searchUsers: session(z.tuple([shortText]), z.array(userSchema)),
  getPresence: session(z.tuple([z.array(idSchema).max(10_000)]), z.array(presenceSchema)),
  setChatState: session(z.tuple([idSchema, chatStateChange]), conversationSummarySchema),
  searchMessages: session(
    z.tuple([shortText, z.number().int().min(1).max(MAX_SEARCH_RESULTS)]),
    z.array(messageSearchHitSchema),
  ),

  // ---- messages ----
  send: session(z.tuple([idSchema, text, positiveSeq.optional()]), chatMessageSchema),
  edit: session(z.tuple([idSchema, messageRef, text]), nothing),
  deleteForEveryone: session(z.tuple([idSchema, messageRef]), nothing),
  react: session(z.tuple([idSchema, messageRef, z.string().max(64)]), nothing),
  forward: session(z.tuple([idSchema, idSchema, positiveSeq]), chatMessageSchema),
  sendFile: session(z.tuple([idSchema, fileDraft]), chatMessageSchema),
  getFile: session(z.tuple([fileIdSchema]), fileBytes),
  retry: session(z.tuple([idSchema, cid]), nothing),
  deleteUnsent: session(z.tuple([idSchema, cid]), nothing),
  markRead: session(z.tuple([idSchema, positiveSeq]), nothing),
  setTyping: session(z.tuple([idSchema, z.boolean()]), nothing),
  setDraft: session(z.tuple([idSchema, text]), nothing),

  // ---- privacy ----
  getPrivacy: session(none, privacySettingsSchema),
  setGroupAdds: session(z.tuple([z.enum(GROUP_ADD_POLICIES)]), privacySettingsSchema),
  block: session(z.tuple([idSchema]), privacySettingsSchema),
  unblock: session(z.tuple([idSchema]), privacySettingsSchema),

  // ---- profile ----
  updateProfile: session(
    z.tuple([z.strictObject({ displayName: shortText.optional(), about: shortText.optional() }) satisfies z.ZodType<ProfileChanges>]),
    userSchema,
  ),

  setProfilePhoto: session(z.tuple([photoBytes.nullable()]), userSchema),
  setGroupPhoto: session(z.tuple([idSchema, photoBytes.nullable()]), conversationSummarySchema),
  getPhoto: session(z.tuple([fileIdSchema]), z.string().nullable()),

  // ---- devices ----
  listDevices: session(none, z.array(deviceSchema)),
  signOutDevice: session(z.tuple([z.string().max(64)]), z.array(deviceSchema)),
  signOutOtherDevices: session(none, z.array(deviceSchema)),
} satisfies MethodTable<DuplexApi>;

export type DuplexMethod = InvokeMethod<DuplexApi>;

/** The methods a signed-in user's session answers. */
export type SessionMethod = {
  [M in DuplexMethod]: (typeof duplexMethods)[M]['answeredBy'] extends 'session' ? M : never;
}[DuplexMethod];

/** What a signed-in user's session implements: every session method, with
 * arguments the table has already validated, answered at once or later. */
export type SessionCalls = {
  [M in SessionMethod]: (...args: ArgumentsOf<DuplexApi[M]>) => ResultOf<DuplexApi[M]> | Promise<ResultOf<DuplexApi[M]>>;
};

/** The argument schemas of the table, as the engine and IPC validation take them. */
export const duplexArgumentSchemas = Object.fromEntries(
  Object.entries(duplexMethods).map(([method, spec]) => [method, spec.args]),
) as ArgumentSchemas<DuplexApi>;

/** A call whose arguments its method's schema refuses. */
export class InvalidArgumentsError extends TypeError {
  readonly reason: string;

  constructor(method: string, reason: string) {
    super(`${method}: invalid arguments: ${reason}`);
    this.name = 'InvalidArgumentsError';
    this.reason = reason;
  }
}

/** A call's arguments as the method's schema allows them; throws
 * InvalidArgumentsError, naming the method and what is wrong, otherwise. */
export function parseArguments<Api>(
  table: ArgumentSchemas<Api>,
  method: InvokeMethod<Api>,
  args: readonly unknown[],
): unknown[] {
  const parsed = (table[method] as z.ZodType<unknown[]>).safeParse(args);
  if (!parsed.success) throw new InvalidArgumentsError(method, z.prettifyError(parsed.error));
  return parsed.data;
}

