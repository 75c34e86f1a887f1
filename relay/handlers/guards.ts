// Refusing a frame: a handler throws Refused and the dispatcher answers with
// an `error` frame carrying its code (and the frame's rid). The checks that
// several handlers share live here too.
import type { Conversation, ErrorCode } from '../../src/shared/protocol/index.ts';
import { codePointLength, MAX_TITLE_LENGTH } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';

export class Refused extends Error {
  override name = 'Refused';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A non-member is told the conversation does not exist, as PROTOCOL.md asks. */
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

/** Throws not_found unless every one of `userIds` exists. */
export async function requireUsers(ctx: RelayContext, userIds: readonly string[]): Promise<void> {
  const found = await ctx.store.usersByIds(userIds);
  if (found.length !== new Set(userIds).size) throw new Refused('not_found', 'no such user');
}
