// `create`, `add`, `leave` and `rename`: changes to conversations and their
// members. Each draws on the user's conversation-change bucket; creates and
// adds also respect the conversations-per-user cap and, for groups, the
// newcomers' privacy settings. The requesting socket gets the answer with its
// rid; every other socket concerned gets the same `conv` without one,
// followed by the presence of members it has just started to share a
// conversation with.
import {
  type AddFrame,
  type ChatState,
  type Conversation,
  type CreateDirectFrame,
  type CreateFrame,
  type CreateGroupFrame,
  DEFAULT_CHAT_STATE,
  type GroupPhotoFrame,
  type LeaveFrame,
  type LeftFrame,
  MAX_GROUP_MEMBERS,
  MAX_GROUP_OTHER_MEMBERS,
  type Presence,
  type PresenceFrame,
  type RenameFrame,
  type User,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { convFrameTexts } from '../conversation-frames.ts';
import type { Session } from '../session.ts';
import {
  conversationOfMember,
  groupTitle,
  Refused,
  requireGroup,
  requireGroupAddsAllowed,
  requireRoomInConversations,
  requireUsers,
  takeConversationChange,
} from './guards.ts';
import { eraseReplacedPhoto, requirePhoto } from './photos.ts';

/** For each user to tell: the members whose presence they may not know yet. */
type Audience = Map<string, readonly string[]>;

export async function handleCreate(ctx: RelayContext, session: Session, frame: CreateFrame): Promise<void> {
  await takeConversationChange(ctx, session.user.id);
  if (frame.kind === 'direct') await createDirect(ctx, session, frame);
  else await createGroup(ctx, session, frame);
}

async function createDirect(ctx: RelayContext, session: Session, frame: CreateDirectFrame): Promise<void> {
  const userId = session.user.id;
  if (frame.with === userId) throw new Refused('invalid', 'a direct conversation needs another user');
  const [other] = await requireUsers(ctx, [frame.with]);
  if ((await ctx.store.blockersOf(userId, [frame.with])).length > 0) {
    throw new Refused('forbidden', 'this user does not accept your messages');
  }
  await requireRoomInConversations(ctx, userId, [session.user, other as User]);
  const { conversation, created } = await ctx.store.openDirect(userId, frame.with, Date.now());
  // Asking again for an existing conversation tells nobody else anything new.
  const audience: Audience = created
    ? new Map([
        [userId, [frame.with]],
        [frame.with, [userId]],
      ])
    : new Map();
  await announce(ctx, session, conversation, audience, frame.rid);
}

async function createGroup(ctx: RelayContext, session: Session, frame: CreateGroupFrame): Promise<void> {
  const userId = session.user.id;
  const title = groupTitle(frame.title);
  const others = [...new Set(frame.members)].filter((member) => member !== userId);
  if (others.length === 0 || others.length > MAX_GROUP_OTHER_MEMBERS) {
    throw new Refused('invalid', `a group needs 1..${MAX_GROUP_OTHER_MEMBERS} other members`);
  }
  const newcomers = await requireUsers(ctx, others);
  await requireGroupAddsAllowed(ctx, userId, newcomers);
  await requireRoomInConversations(ctx, userId, [session.user, ...newcomers]);
  const conversation = await ctx.store.createGroup(userId, title, others, Date.now());
  await announce(ctx, session, conversation, everyoneMeetsEveryone(conversation), frame.rid);
}

export async function handleAdd(ctx: RelayContext, session: Session, frame: AddFrame): Promise<void> {
  await takeConversationChange(ctx, session.user.id);
  const before = await conversationOfMember(ctx, frame.conv, session.user.id);
  requireGroup(before);
  if (frame.users.length === 0) throw new Refused('invalid', 'no users to add');
  const memberIds = new Set(before.members.map((member) => member.id));
  const newcomers = [...new Set(frame.users)].filter((userId) => !memberIds.has(userId));
  if (memberIds.size + newcomers.length > MAX_GROUP_MEMBERS) {
    throw new Refused('invalid', `a group has at most ${MAX_GROUP_MEMBERS} members`);
  }
  const users = await requireUsers(ctx, newcomers);
  await requireGroupAddsAllowed(ctx, session.user.id, users);
  await requireRoomInConversations(ctx, session.user.id, users);
  const { conversation, added } = await ctx.store.addMembers(frame.conv, newcomers, Date.now());
  const audience: Audience = new Map();
  if (added.length > 0) {
    const addedSet = new Set(added);
    for (const member of conversation.members) {
      audience.set(member.id, addedSet.has(member.id) ? othersOf(conversation, member.id) : added);
    }
  }
  await announce(ctx, session, conversation, audience, frame.rid);
}

export async function handleLeave(ctx: RelayContext, session: Session, frame: LeaveFrame): Promise<void> {
  const userId = session.user.id;
  await takeConversationChange(ctx, userId);
  requireGroup(await conversationOfMember(ctx, frame.conv, userId));
  const conversation = await ctx.store.removeMember(frame.conv, userId);
  session.sendFrame({ t: 'left', rid: frame.rid, conv: frame.conv });
  const left: LeftFrame = { t: 'left', conv: frame.conv };
  ctx.fanout.publish([userId], { kind: 'frame', text: JSON.stringify(left), exceptSession: session.id });
  await announce(ctx, session, conversation, nobodyNew(conversation));
}

export async function handleRename(ctx: RelayContext, session: Session, frame: RenameFrame): Promise<void> {
  await takeConversationChange(ctx, session.user.id);
  requireGroup(await conversationOfMember(ctx, frame.conv, session.user.id));
  const conversation = await ctx.store.setTitle(frame.conv, groupTitle(frame.title));
  await announce(ctx, session, conversation, nobodyNew(conversation), frame.rid);
}

/** A group's photo, set or removed by any member; the photo replaced is erased. */
export async function handleGroupPhoto(ctx: RelayContext, session: Session, frame: GroupPhotoFrame): Promise<void> {
  await takeConversationChange(ctx, session.user.id);
  requireGroup(await conversationOfMember(ctx, frame.conv, session.user.id));
  if (frame.photo !== null) await requirePhoto(ctx, session.user.id, frame.photo);
  const { conversation, replacedPhoto } = await ctx.store.setConversationPhoto(frame.conv, frame.photo);
  await eraseReplacedPhoto(ctx, replacedPhoto);
  await announce(ctx, session, conversation, nobodyNew(conversation), frame.rid);
}

/**
 * Sends `conv` to the audience (and, with a rid, the answer to the requesting
 * socket), then to each recipient the presence of the members it names that
 * the recipient shares no other conversation with.
 */
async function announce(
  ctx: RelayContext,
  session: Session,
  conversation: Conversation,
  audience: Audience,
  rid?: string,
): Promise<void> {
  const requester = session.user.id;
  // Every recipient gets `conv` (and the `members` frames of a large one)
  // before anything here awaits, so that no `msg` of the conversation can
  // reach a member ahead of the conversation itself, and no other frame comes
  // between the parts; the presence introductions follow.
  await publishConversation(ctx, conversation, audience.keys(), { session, rid });
  for (const [recipient, candidates] of audience) {
    const presenceTexts = (await presenceToIntroduce(ctx, recipient, candidates, conversation.id)).map((presence) =>
      JSON.stringify({ t: 'presence', ...presence } satisfies PresenceFrame),
    );
    for (const text of presenceTexts) {
      if (recipient === requester && rid !== undefined) session.sendText(text);
      ctx.fanout.publish([recipient], { kind: 'frame', text, exceptSession: session.id });
    }
  }
}

/**
 * Publishes `conv` to `recipients`, each with their own chat state, so that
 * recipients with the same state share one serialisation. When a session
 * made the change (`from`), it is left out of the publication, and gets the
 * answer first when there is a `rid`. Nothing awaits between the frames.
 */
export async function publishConversation(
  ctx: Pick<RelayContext, 'store' | 'fanout'>,
  conversation: Conversation,
  recipients: Iterable<string>,
  from?: { session: Session; rid: string | undefined },
): Promise<void> {
  const states = await ctx.store.chatStatesIn(conversation.id);
  const mineOf = (userId: string): ChatState => states.get(userId) ?? DEFAULT_CHAT_STATE;
  if (from?.rid !== undefined) {
    for (const text of convFrameTexts({ ...conversation, mine: mineOf(from.session.user.id) }, from.rid)) from.session.sendText(text);
  }
  for (const [mine, users] of groupByChatState(recipients, mineOf)) {
    for (const text of convFrameTexts({ ...conversation, mine })) {
      ctx.fanout.publish(users, { kind: 'frame', text, ...(from && { exceptSession: from.session.id }) });
    }
  }
}

async function presenceToIntroduce(
  ctx: RelayContext,
  recipient: string,
  candidates: readonly string[],
  convId: string,
): Promise<Presence[]> {
  if (candidates.length === 0) return [];
  const known = new Set(await ctx.store.contactsOf(recipient, convId));
  return ctx.presence.describe(candidates.filter((userId) => userId !== recipient && !known.has(userId)));
}

/** The recipients, by the chat state their `conv` carries (most share the defaults). */
function groupByChatState(recipients: Iterable<string>, mineOf: (userId: string) => ChatState): Map<ChatState, string[]> {
  const groups = new Map<string, { mine: ChatState; users: string[] }>();
  for (const userId of recipients) {
    const mine = mineOf(userId);
    const key = JSON.stringify(mine);
    const group = groups.get(key);
    if (group) group.users.push(userId);
    else groups.set(key, { mine, users: [userId] });
  }
  return new Map([...groups.values()].map((group) => [group.mine, group.users]));
}

function everyoneMeetsEveryone(conversation: Conversation): Audience {
  return new Map(conversation.members.map((member) => [member.id, othersOf(conversation, member.id)]));
}

function nobodyNew(conversation: Conversation): Audience {
  return new Map(conversation.members.map((member) => [member.id, []]));
}

function othersOf(conversation: Conversation, userId: string): string[] {
  return conversation.members.map((member) => member.id).filter((id) => id !== userId);
}
