// What the UI sees, derived from what the store keeps: ChatMessage for a
// stored or outgoing message, ConversationSummary for a conversation. The
// status of the user's own stored messages is never stored; it follows from
// the conversation's receipt watermarks (docs/protocol.md: delivered/read once
// every other member's watermark has reached the message).
import type { ChatFile, ChatMessage, ConversationSummary, ReactionPreview } from '../api.ts';
import { DELETED_ACCOUNT_NAME, type Message, type ReceiptWatermarks, type User } from '../protocol/index.ts';
import { fileKind, messageSummary } from '../file-summary.ts';
import { findMentions } from '../mentions.ts';
import { type ChangeJob, type ClientStore, isMessageJob, type MessageJob, type OutboxJob, type StoredConversation } from '../store/client-store.ts';
import { applyChange } from '../store/fold-changes.ts';

/** Up to which seq the user's own messages count as delivered and as read:
 * the lowest watermarks among the other members (0 when there are none, so
 * that a message nobody else can see stays `sent`). */
export function ownMessageWatermarks(conversation: StoredConversation, me: string): ReceiptWatermarks {
  let delivered = Infinity;
  let read = Infinity;
  for (const member of conversation.members) {
    if (member.id === me) continue;
    const receipt = conversation.receipts[member.id];
    delivered = Math.min(delivered, receipt?.delivered ?? 0);
    read = Math.min(read, receipt?.read ?? 0);
  }
  return delivered === Infinity ? { delivered: 0, read: 0 } : { delivered, read };
}

export function storedChatMessage(message: Message, conversation: StoredConversation, me: string): ChatMessage {
  const chat: ChatMessage = {
    conv: message.conv,
    cid: message.cid,
    seq: message.seq,
    from: message.from,
    body: message.body,
    ts: message.ts,
    mine: message.from === me,
  };
  copyChangeableFields(message, chat);
  if (message.file) withFile(chat, message.file);
  withMentions(chat, conversation.members);
  if (chat.mine) {
    const watermarks = ownMessageWatermarks(conversation, me);
    chat.status = watermarks.read >= message.seq ? 'read' : watermarks.delivered >= message.seq ? 'delivered' : 'sent';
  }
  return chat;
}

/** Adds the file, with its kind and the message's one-line summary. */
export function withFile(chat: ChatMessage, file: ChatFile): void {
  chat.file = file;
  chat.fileKind = fileKind(file);
  chat.summary = messageSummary({ body: chat.body, file });
}

/** Adds the members a message mentions (none: no field). */
function withMentions(chat: ChatMessage, members: readonly User[]): void {
  const mentions = findMentions(chat.body, members);
  if (mentions.length > 0) chat.mentions = mentions;
}

/** `members`: the conversation's, for the mentions (absent: none found). */
export function outgoingChatMessage(job: MessageJob, me: string, members: readonly User[] = []): ChatMessage {
  const chat: ChatMessage = {
    conv: job.conv,
    cid: job.cid,
    seq: null,
    from: me,
    body: job.body,
    ts: job.createdAt,
    mine: true,
    status: job.state,
  };
  if (job.replyTo !== undefined) chat.replyTo = job.replyTo;
  if (job.kind === 'send' && job.forwarded) chat.forwarded = true;
  if (job.error !== undefined) chat.error = job.error;
  if (job.kind === 'send' && job.file) withFile(chat, job.file);
  if (job.kind === 'upload') withFile(chat, job.fileId === undefined ? { ...job.file } : { ...job.file, id: job.fileId });
  withMentions(chat, members);
  return chat;
}

/** The fields of a message that changes affect, copied from `from` (where
 * set) onto `to`. */
type Changeable = Pick<Message, 'replyTo' | 'forwarded' | 'editedAt' | 'deleted' | 'reactions'>;

function copyChangeableFields(from: Changeable, to: Changeable): void {
  if (from.replyTo !== undefined) to.replyTo = from.replyTo;
  if (from.forwarded) to.forwarded = true;
  if (from.editedAt !== undefined) to.editedAt = from.editedAt;
  if (from.deleted) to.deleted = true;
  if (from.reactions) to.reactions = from.reactions;
}

/** A message as the user will see it once the changes they made to it that
 * still wait in the outbox are done (shown at once, like a queued send).
 * `members`: the conversation's, for the mentions of an edited body. */
export function withPendingChanges(
  chat: ChatMessage,
  outbox: readonly OutboxJob[],
  me: string,
  members: readonly User[],
): ChatMessage {
  const pending = outbox.filter((job): job is ChangeJob => !isMessageJob(job) && job.targetCid === chat.cid);
  if (pending.length === 0) return chat;
  let state: Message = { conv: chat.conv, seq: chat.seq ?? 0, cid: chat.cid, from: chat.from, body: chat.body, ts: chat.ts };
  copyChangeableFields(chat, state);
  for (const job of pending) {
    state = applyChange(state, { kind: job.kind, from: me, body: job.kind === 'delete' ? '' : job.body, ts: job.createdAt });
  }
  const { replyTo: _r, forwarded: _f, editedAt: _e, deleted: _d, reactions: _x, mentions: _m, file, fileKind: _k, summary: _s, ...base } = chat;
  const changed: ChatMessage = { ...base, body: state.body };
  copyChangeableFields(state, changed);
  // A deleted message keeps no file either (fold-changes.ts, applyChange).
  if (file && !state.deleted) withFile(changed, file);
  withMentions(changed, members);
  return changed;
}

function conversationTitle(conversation: StoredConversation, me: string): string {
  if (conversation.title !== null) return conversation.title;
  // The other member is gone only when they deleted their account (docs/protocol.md, "Deleting an account").
  return otherMember(conversation, me)?.displayName ?? DELETED_ACCOUNT_NAME;
}

export async function summarizeConversation(
  conversation: StoredConversation,
  store: ClientStore,
  me: string,
  lastReaction?: ReactionPreview,
): Promise<ConversationSummary> {
  // Only the newest job of the outbox and the changes to the last message
  // are read: a summary comes every few tens of milliseconds while a long
  // outbox flushes, and reading all of it each time made the flush
  // quadratic (docs/benchmarks.md, "a flush that no longer walks the
  // outbox").
  const [[newestStored], newestOutgoing, unread] = await Promise.all([
    store.getMessages(conversation.id, { limit: 1 }),
    store.newestOutboxMessage(conversation.id),
    store.countMessagesAfter(conversation.id, conversation.readUpTo, me),
  ]);
  // Outgoing messages come after every stored one in the conversation's
  // order (see MessagePage), so the newest of them is the last message.
  const newest = newestOutgoing
    ? outgoingChatMessage(newestOutgoing, me, conversation.members)
    : newestStored
      ? storedChatMessage(newestStored, conversation, me)
      : null;
  const lastMessage =
    newest && withPendingChanges(newest, await store.listChangesTo(conversation.id, newest.cid), me, conversation.members);
  // A reaction shows in the list until a message comes after it.
  const reactionIsNewest = lastReaction && lastMessage?.seq !== null && lastReaction.seq > (lastMessage?.seq ?? 0);
  return {
    ...(reactionIsNewest ? { lastReaction } : {}),
    id: conversation.id,
    kind: conversation.kind,
    title: conversationTitle(conversation, me),
    peerId: conversation.kind === 'direct' ? (otherMember(conversation, me)?.id ?? null) : null,
    photo: (conversation.kind === 'direct' ? otherMember(conversation, me)?.photo : conversation.photo) ?? null,
    members: conversation.members,
    lastSeq: conversation.lastSeq,
    receipts: conversation.receipts,
    unread,
    lastMessage,
    lastActivity: conversation.lastActivity,
    draft: conversation.draft,
    hasMoreHistory: conversation.hasMoreHistory,
    chatState: conversation.chatState,
  };
}

function otherMember(conversation: StoredConversation, me: string): User | undefined {
  return conversation.members.find((member) => member.id !== me);
}
