// The argument lists each IPC request accepts, one zod tuple per method of
// DuplexApi and DesktopApi (a tuple also refuses extra arguments). They
// check shape and set bounds on sizes; rules that give the user an answer
// (a blank message, a title too long, an unknown user) belong to the engine
// and the relay, which answer them properly.
import { z } from 'zod';
import type { DuplexApi } from '../../shared/api.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';
import {
  CID_PATTERN,
  GROUP_ADD_POLICIES,
  MAX_FRAME_BYTES,
  MAX_GROUP_MEMBERS,
  idSchema,
  seqSchema,
} from '../../shared/protocol/index.ts';
import { settingsPatchSchema } from '../settings/settings-schema.ts';
import type { ArgumentSchemas } from './invoke-handlers.ts';

/** Message bodies and drafts: no longer than the largest frame. */
const text = z.string().max(MAX_FRAME_BYTES);
/** Names, titles, credentials, URLs, search queries. */
const shortText = z.string().max(2048);
const cid = z.string().regex(CID_PATTERN);
const userIds = z.array(idSchema).max(MAX_GROUP_MEMBERS);
const none = z.tuple([]);

const signInRequest = z.strictObject({
  relayUrl: shortText.optional(),
  username: shortText,
  password: shortText,
});

export const duplexArgumentSchemas = {
  getSession: none,
  signIn: z.tuple([signInRequest]),
  register: z.tuple([signInRequest.extend({ displayName: shortText.optional() })]),
  signOut: none,
  getStatus: none,
  retryNow: none,
  listConversations: none,
  getMessages: z.tuple([
    idSchema,
    z.strictObject({ beforeSeq: seqSchema.optional(), limit: z.number().int().min(1).max(1000) }),
  ]),
  loadOlder: z.tuple([idSchema]),
  createDirect: z.tuple([idSchema]),
  createGroup: z.tuple([shortText, userIds]),
  addMembers: z.tuple([idSchema, userIds]),
  leave: z.tuple([idSchema]),
  rename: z.tuple([idSchema, shortText]),
  searchUsers: z.tuple([shortText]),
  getPresence: z.tuple([z.array(idSchema).max(10_000)]),
  send: z.tuple([idSchema, text, z.number().int().positive().optional()]),
  retry: z.tuple([idSchema, cid]),
  deleteUnsent: z.tuple([idSchema, cid]),
  markRead: z.tuple([idSchema, seqSchema]),
  setTyping: z.tuple([idSchema, z.boolean()]),
  setDraft: z.tuple([idSchema, text]),
  getPrivacy: none,
  setGroupAdds: z.tuple([z.enum(GROUP_ADD_POLICIES)]),
  block: z.tuple([idSchema]),
  unblock: z.tuple([idSchema]),
} satisfies ArgumentSchemas<DuplexApi>;

export const desktopArgumentSchemas = {
  getInfo: none,
  getSettings: none,
  updateSettings: z.tuple([settingsPatchSchema]),
  setConversationMuted: z.tuple([idSchema, z.boolean()]),
  setOpenConversation: z.tuple([idSchema.nullable()]),
  getUpdateStatus: none,
  checkForUpdates: none,
  downloadUpdate: none,
  restartToUpdate: none,
} satisfies ArgumentSchemas<DesktopApi>;
