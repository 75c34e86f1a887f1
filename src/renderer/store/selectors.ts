// Derived views of the store, memoised so that components and actions that
// ask for them get the same array until the inputs change.
import type { ConversationSummary } from '../../shared/api.ts';
import type { ChatData } from './chatState.ts';

/** Most recent activity first, as WhatsApp lists chats. */
function compareByActivity(a: ConversationSummary, b: ConversationSummary): number {
  return b.lastActivity - a.lastActivity || a.title.localeCompare(b.title);
}

let memoInput: { conversations: ChatData['conversations']; filter: string } | null = null;
let memoOutput: readonly ConversationSummary[] = [];

/** The conversation list as shown: filtered by title, sorted by activity. */
export function selectVisibleConversations(state: Pick<ChatData, 'conversations' | 'filter'>): readonly ConversationSummary[] {
  if (memoInput?.conversations === state.conversations && memoInput.filter === state.filter) return memoOutput;
  const needle = state.filter.trim().toLocaleLowerCase();
  const all = [...state.conversations.values()];
  memoOutput = (needle ? all.filter((c) => c.title.toLocaleLowerCase().includes(needle)) : all).sort(compareByActivity);
  memoInput = { conversations: state.conversations, filter: state.filter };
  return memoOutput;
}

/** A member's display name, as the conversation knows it. */
export function memberName(conversation: ConversationSummary, userId: string): string {
  return conversation.members.find((m) => m.id === userId)?.displayName ?? 'Someone';
}
