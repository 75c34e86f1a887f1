// Derived views of the store, memoised so that components and actions that
// ask for them get the same array until the inputs change.
import type { ConversationSummary } from '../../shared/api.ts';
import type { ChatData } from './chatState.ts';

/** Pinned chats first, then the most recent activity first, as WhatsApp lists chats. */
function compareForList(a: ConversationSummary, b: ConversationSummary): number {
  return (
    Number(b.chatState.pinned) - Number(a.chatState.pinned) ||
    b.lastActivity - a.lastActivity ||
    a.title.localeCompare(b.title)
  );
}

type ListInput = Pick<ChatData, 'conversations' | 'filter' | 'archivedShown'>;

let memoInput: ListInput | null = null;
let memoOutput: readonly ConversationSummary[] = [];

/** The conversation list as shown: the archived chats or the others,
 * filtered by title, pinned first, then by activity. */
export function selectVisibleConversations(state: ListInput): readonly ConversationSummary[] {
  if (
    memoInput?.conversations === state.conversations &&
    memoInput.filter === state.filter &&
    memoInput.archivedShown === state.archivedShown
  ) {
    return memoOutput;
  }
  const needle = state.filter.trim().toLocaleLowerCase();
  memoOutput = [...state.conversations.values()]
    .filter((c) => c.chatState.archived === state.archivedShown)
    .filter((c) => !needle || c.title.toLocaleLowerCase().includes(needle))
    .sort(compareForList);
  memoInput = { conversations: state.conversations, filter: state.filter, archivedShown: state.archivedShown };
  return memoOutput;
}

/** How many chats are archived. */
export function selectArchivedCount(state: Pick<ChatData, 'conversations'>): number {
  let count = 0;
  for (const conversation of state.conversations.values()) if (conversation.chatState.archived) count++;
  return count;
}

/** How many archived chats have unread messages. */
export function selectArchivedUnread(state: Pick<ChatData, 'conversations'>): number {
  let count = 0;
  for (const conversation of state.conversations.values()) {
    if (conversation.chatState.archived && conversation.unread > 0) count++;
  }
  return count;
}

/** Whether a chat state mutes its chat at `now` (as the engine judges it). */
export function isMutedAt(conversation: ConversationSummary, now: number): boolean {
  return conversation.chatState.mutedUntil !== null && conversation.chatState.mutedUntil > now;
}

/** A member's display name, as the conversation knows it. */
export function memberName(conversation: ConversationSummary, userId: string): string {
  return conversation.members.find((m) => m.id === userId)?.displayName ?? 'Someone';
}
