// Refusing a frame: a handler throws Refused and the dispatcher answers with
// an `error` frame carrying its code (and the frame's rid). The checks that
// several handlers share live here too.
import type { Conversation, ErrorCode, User } from '../../src/shared/protocol/index.ts';
import { codePointLength, MAX_TITLE_LENGTH } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';

export class Refused extends Error {
  override name = 'Refused';
  readonly code: ErrorCode;
  /** The users the refusal is about (a create or add that cannot include them). */
  readonly users: string[] | undefined;

  constructor(code: ErrorCode, message: string, users?: string[]) {
    super(message);
    this.code = code;
    this.users = users;
  }
}

/** A non-member is told the conversation does not exist, as docs/protocol.md says. */
export function notFound(): Refused {
  return new Refused('not_found', 'no such conversation');
}

/** The conversation, when `userId` is one of its members. */
export async function conversationOfMember(ctx: RelayContext, convId: string, userId: string): Promise<Conversation> {
  const conversation = await ctx.store.conversation(convId);
  if (!conversation?.members.some((member) => member.id === userId)) throw notFound();
  return conversation;
}

export async function requireMember(ctx: RelayContext, convId: string, userId: string): Promise<void> {
  if (!(await ctx.store.isMember(convId, userId))) throw notFound();
}

/** Group operations refuse direct conversations. */
export function requireGroup(conversation: Conversation): void {
  if (conversation.kind === 'direct') throw new Refused('forbidden', 'not possible in a direct conversation');
}

/** A group title, trimmed, 1..64 characters (code points). */
export function groupTitle(title: string): string {
  const trimmed = title.trim();
  const length = codePointLength(trimmed);
  if (length === 0 || length > MAX_TITLE_LENGTH) {
    throw new Refused('invalid', `title must be 1..${MAX_TITLE_LENGTH} characters`);
  }
  return trimmed;
}

/** The users of `userIds`; throws not_found unless every one of them exists. */
export async function requireUsers(ctx: RelayContext, userIds: readonly string[]): Promise<User[]> {
  const found = await ctx.store.usersByIds(userIds);
  if (found.length !== new Set(userIds).size) throw new Refused('not_found', 'no such user');
  return found;
}

/** Conversation changes are multiplied to every member: they draw on the user's bucket. */
export async function takeConversationChange(ctx: RelayContext, userId: string): Promise<void> {
  if (!(await ctx.rateLimits.conversationChanges.take(userId))) {
    throw new Refused('rate_limited', 'too many conversation changes; retry later');
  }
}

/**
 * Refuses a create or add that would put one of `joining` (the requester
 * among them when they join too) in more conversations than the limit: a
 * user cannot be forced into an unbounded number of them.
 */
export async function requireRoomInConversations(ctx: RelayContext, requester: string, joining: readonly User[]): Promise<void> {
  const limit = ctx.config.limits.conversationsPerUser;
  const counts = await ctx.store.conversationCounts(joining.map((user) => user.id));
  const full = joining.filter((user) => (counts.get(user.id) ?? 0) >= limit);
  if (full.length === 0) return;
  const message = full.some((user) => user.id === requester)
    ? `you are in ${limit} conversations, the most allowed; leave one first`
    : `${names(full)} cannot be added: already in ${limit} conversations, the most allowed`;
  throw new Refused('forbidden', message, full.map((user) => user.id));
}

/** Refuses adding users to a group who do not allow the requester to (docs/protocol.md, "Privacy"). */
export async function requireGroupAddsAllowed(ctx: RelayContext, requester: string, newcomers: readonly User[]): Promise<void> {
  const refusing = new Set(await ctx.store.refusingGroupAdds(requester, newcomers.map((user) => user.id)));
  if (refusing.size === 0) return;
  const refused = newcomers.filter((user) => refusing.has(user.id));
  throw new Refused(
    'forbidden',
    `${names(refused)} cannot be added by you: their privacy settings do not allow it`,
    refused.map((user) => user.id),
  );
}

function names(users: readonly User[]): string {
  return users.map((user) => user.displayName).join(', ');
}
