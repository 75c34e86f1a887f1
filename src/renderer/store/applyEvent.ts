// How an engine event changes the renderer's state: a pure function from the
// state and the event to the fields that change (or null for none), unit-tested
// alone (test/renderer/apply-event.test.ts). The one exception is a loaded
// conversation's MessageWindow, which changes in place for speed
// (messageWindow.ts says why): a `messages` or `message-removed` event updates
// it and returns `windows` as changed so that subscribers look again.
//
// `account` is not here: signing in (or out) starts the account's state over
// and reads a snapshot, which is the store's work (chatStore.ts).
import type { DuplexEvent } from '../../shared/api.ts';
import { type ChatData, withEntry, withoutEntry } from './chatState.ts';

/** The events applyEvent takes: every DuplexEvent but `account`. */
export type DataEvent = Exclude<DuplexEvent, { type: 'account' }>;

export function applyEvent(state: ChatData, event: DataEvent): Partial<ChatData> | null {
  switch (event.type) {
    case 'status':
      return { status: event.status };
    case 'conversation':
      return { conversations: withEntry(state.conversations, event.conversation.id, event.conversation) };
    case 'conversation-removed':
      return withoutConversation(state, event.id);
    case 'messages':
      return state.windows.get(event.conv)?.upsert(event.messages) ? { windows: state.windows } : null;
    case 'message-removed':
      return state.windows.get(event.conv)?.remove(event.cid) ? { windows: state.windows } : null;
    case 'typing':
      // The engine keeps the list (and expires what is not refreshed); the
      // state shows exactly what it last reported.
      return {
        typing:
          event.users.length === 0 ? withoutEntry(state.typing, event.conv) : withEntry(state.typing, event.conv, event.users),
      };
    case 'presence':
      return { presence: withEntry(state.presence, event.presence.user, event.presence) };
    case 'privacy':
      return { privacy: event.privacy };
    case 'upload-progress':
      return { uploads: withEntry(state.uploads, event.cid, { sent: event.sent, total: event.total }) };
  }
}

/** A conversation gone (left, or removed by the engine), with everything
 * shown about it. */
export function withoutConversation(state: ChatData, id: string): Partial<ChatData> {
  return {
    conversations: withoutEntry(state.conversations, id),
    windows: withoutEntry(state.windows, id),
    typing: withoutEntry(state.typing, id),
    openId: state.openId === id ? null : state.openId,
    // Group info is about the open conversation, which is gone.
    dialog: state.dialog === 'group-info' && state.openId === id ? null : state.dialog,
    unreadMarker: state.unreadMarker?.conv === id ? null : state.unreadMarker,
  };
}
