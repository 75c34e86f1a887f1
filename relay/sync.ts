// The session start after a valid hello: `welcome` (paged with `convs`
// frames when it does not fit in one frame), then each conversation's
// backlog as `batch` frames, then `synced` (docs/protocol.md, "Session start").
// Frames go out at the client's pace (Session.sendPaced); live frames for the
// session wait meanwhile and follow `synced`.
import {
  type Conversation,
  DEFAULT_CHAT_STATE,
  INITIAL_MESSAGES_WITHOUT_CURSOR,
  MAX_BATCH_MESSAGES,
  type Message,
  type PrivacyFrame,
} from '../src/shared/protocol/index.ts';
import type { RelayContext } from './context.ts';
import { welcomeFrameTexts } from './conversation-frames.ts';
import { batchFrameTexts } from './message-frames.ts';
import type { Session } from './session.ts';

export async function synchronise(
  ctx: RelayContext,
  session: Session,
  cursors: Readonly<Record<string, number>>,
): Promise<void> {
  const user = session.user;
  const states = await ctx.store.chatStatesOf(user.id);
  // Each with the user's own chat state (docs/protocol.md, "Chat state").
  const conversations = (await ctx.store.conversationsOf(user.id)).map((conversation) => ({
    ...conversation,
    mine: states.get(conversation.id) ?? DEFAULT_CHAT_STATE,
  }));
  const contacts = new Set(conversations.flatMap((conversation) => conversation.members.map((member) => member.id)));
  contacts.delete(user.id);
  const presence = await ctx.presence.describe([...contacts]);
  for (const text of welcomeFrameTexts({ user, serverTime: Date.now() }, conversations, presence)) {
    await session.sendPaced(text);
  }
  // Privacy settings other than the defaults follow the listing (docs/protocol.md, "Privacy").
  const privacy = await ctx.store.privacyOf(user.id);
  if (privacy.groupAdds !== 'everyone' || privacy.blocked.length > 0) {
    await session.sendPaced(JSON.stringify({ t: 'privacy', ...privacy } satisfies PrivacyFrame));
  }

  // The highest seq each conversation's batches carried, so that live `msg`
  // frames held back meanwhile are not sent twice.
  const sentUpTo = new Map<string, number>();
  for (const conversation of conversations) {
    if (session.isClosed) return;
    const cursor = Object.hasOwn(cursors, conversation.id) ? cursors[conversation.id] : undefined;
    const lastSent =
      cursor === undefined
        ? await sendNewest(ctx, session, conversation.id)
        : await sendAfter(ctx, session, conversation.id, cursor);
    if (lastSent !== undefined) sentUpTo.set(conversation.id, lastSent);
  }
  session.synced(sentUpTo, ctx.ordering?.forSession(session, orderBaselines(conversations, sentUpTo)));
}

/**
 * Where each conversation's live msg frames take over: after the last message
 * a batch sent, else after the last one the listing knew of (a message
 * stored since then is either in a batch or comes live).
 */
function orderBaselines(conversations: readonly Conversation[], sentUpTo: ReadonlyMap<string, number>): Map<string, number> {
  return new Map(conversations.map((conversation) => [conversation.id, Math.max(conversation.lastSeq, sentUpTo.get(conversation.id) ?? 0)]));
}

/** A device without a cursor gets the newest messages; `more` says whether older ones exist. */
async function sendNewest(ctx: RelayContext, session: Session, convId: string): Promise<number | undefined> {
  const page = await ctx.store.messagesBefore(convId, undefined, INITIAL_MESSAGES_WITHOUT_CURSOR);
  await sendBatches(session, convId, page.messages, page.more);
  return page.messages.at(-1)?.seq;
}

/** Everything after the cursor, read and sent one store page at a time. */
async function sendAfter(ctx: RelayContext, session: Session, convId: string, cursor: number): Promise<number | undefined> {
  let lastSent: number | undefined;
  for (;;) {
    const messages = await ctx.store.messagesAfter(convId, lastSent ?? cursor, MAX_BATCH_MESSAGES);
    if (messages.length === 0) return lastSent;
    await sendBatches(session, convId, messages, false);
    lastSent = messages.at(-1)?.seq;
    if (messages.length < MAX_BATCH_MESSAGES || session.isClosed) return lastSent;
  }
}

async function sendBatches(session: Session, convId: string, messages: readonly Message[], more: boolean): Promise<void> {
  for (const text of batchFrameTexts(convId, messages, more)) await session.sendPaced(text);
}
