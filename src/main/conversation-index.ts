// The conversations as the engine last reported them, kept from its events
// so that the tray, the badge and notifications can ask for titles, members
// and unread counts without a round trip to the store.
import type { ConversationSummary, DuplexEvent } from '../shared/api.ts';
import { isMuted } from '../shared/protocol/index.ts';

export class ConversationIndex {
  readonly #byId = new Map<string, ConversationSummary>();

  /** Conversations read from the store; those an event has reported since
   * are newer and stay. */
  addMissing(conversations: readonly ConversationSummary[]): void {
    for (const conversation of conversations) {
      if (!this.#byId.has(conversation.id)) this.#byId.set(conversation.id, conversation);
    }
  }

  apply(event: DuplexEvent): void {
    if (event.type === 'conversation') this.#byId.set(event.conversation.id, event.conversation);
    else if (event.type === 'conversation-removed') this.#byId.delete(event.id);
    // Signed in (as anyone) or out: the previous account's list is void.
    else if (event.type === 'account') this.#byId.clear();
  }

  /** When the first mute that now hides unread messages ends, if any: the
   * count changes then without any event. */
  nextMuteEnd(now: number): number | null {
    let next: number | null = null;
    for (const { chatState, unread } of this.#byId.values()) {
      if (unread > 0 && isMuted(chatState, now)) next = Math.min(next ?? Infinity, chatState.mutedUntil as number);
    }
    return next;
  }

  get(id: string): ConversationSummary | undefined {
    return this.#byId.get(id);
  }

  /** Unread messages of the conversations not muted at `now`: as in
   * WhatsApp, a muted chat keeps its own count but leaves the tray and the
   * badge alone. */
  totalUnread(now: number): number {
    let total = 0;
    for (const conversation of this.#byId.values()) {
      if (!isMuted(conversation.chatState, now)) total += conversation.unread;
    }
    return total;
  }
}
