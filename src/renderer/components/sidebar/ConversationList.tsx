import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ConversationSummary } from '../../../shared/api.ts';
import { useNow } from '../../hooks/useNow.ts';
import type { MenuItem } from '../common/MenuButton.tsx';
import { background } from '../../store/chatState.ts';
import { isMutedAt, selectVisibleConversations } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { ConversationListItem } from './ConversationListItem.tsx';
import { MuteDialog } from './MuteDialog.tsx';

/** Rows have one fixed height (see sidebar.css), so none is measured. */
const ROW_HEIGHT = 72;

export const CONVERSATION_LIST_ID = 'conversation-list';

/** The chats, pinned first, then most recent first, virtualised for teams
 * with thousands of them; archived ones behind the `Archived` entry, which
 * shows them in their place. One Tab stop for the whole list (roving
 * tabindex): arrows, Home and End move between chats, Enter opens one. */
export function ConversationList() {
  const conversations = useChat(selectVisibleConversations);
  const loaded = useChat((state) => state.conversationsLoaded);
  const filtering = useChat((state) => state.filter.trim() !== '');
  const archivedShown = useChat((state) => state.archivedShown);
  const openId = useChat((state) => state.openId);
  const { openConversation, setChatState } = useActions();
  // Mutes end by themselves; the marks follow within a second.
  const now = useNow();
  const [muting, setMuting] = useState<ConversationSummary | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  /** The chat that holds the Tab stop; falls back to the open one, then the first. */
  const [activeId, setActiveId] = useState<string | null>(null);
  /** A chat to focus once its row is rendered (it may need scrolling in). */
  const pendingFocus = useRef<string | null>(null);

  // The app does not use the React Compiler, whose memoisation this warns about.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: conversations.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: useCallback((index: number) => conversations[index]?.id ?? index, [conversations]),
    overscan: 6,
  });

  const tabStopId =
    [activeId, openId].find((id) => id !== null && conversations.some((c) => c.id === id)) ?? conversations[0]?.id;

  useEffect(() => {
    const id = pendingFocus.current;
    if (id === null) return;
    const buttons = listRef.current?.querySelectorAll<HTMLElement>('[data-conversation-id]') ?? [];
    const button = [...buttons].find((element) => element.dataset.conversationId === id);
    if (button) {
      pendingFocus.current = null;
      button.focus();
    }
  });

  function moveFocus(index: number) {
    const target = conversations[index];
    if (!target) return;
    setActiveId(target.id);
    pendingFocus.current = target.id;
    virtualizer.scrollToIndex(index);
  }

  function onKeyDown(event: KeyboardEvent<HTMLUListElement>) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const current = conversations.findIndex((c) => c.id === tabStopId);
    const target = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: conversations.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    moveFocus(Math.min(Math.max(target, 0), conversations.length - 1));
  }

  function open(id: string) {
    setActiveId(id);
    openConversation(id);
  }

  /** Pin, archive and mute, as WhatsApp's chat menu offers them. An
   * archived chat is not pinned (archiving unpins it). */
  function actionsOf(conversation: ConversationSummary): MenuItem[] {
    const { id, chatState } = conversation;
    // The engine shows the change at once; a refusal is only worth a log line.
    const change = (fields: Parameters<typeof setChatState>[1]) => () => background(setChatState(id, fields));
    const items: MenuItem[] = [];
    if (!chatState.archived) {
      items.push({ label: chatState.pinned ? 'Unpin chat' : 'Pin chat', onSelect: change({ pinned: !chatState.pinned }) });
    }
    items.push(
      chatState.archived
        ? { label: 'Unarchive chat', onSelect: change({ archived: false }) }
        : { label: 'Archive chat', onSelect: change({ archived: true, pinned: false }) },
    );
    items.push(
      isMutedAt(conversation, now)
        ? { label: 'Unmute notifications', onSelect: change({ mutedUntil: null }) }
        : { label: 'Mute notifications', onSelect: () => setMuting(conversation) },
    );
    return items;
  }

  return (
    <div className="conversation-list" id={CONVERSATION_LIST_ID} ref={scrollRef}>
      <ul
        ref={listRef}
        className="conversation-list__items"
        aria-label="Conversations"
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
      >
        {virtualizer.getVirtualItems().map((item) => {
          const conversation = conversations[item.index]!;
          return (
            <ConversationListItem
              key={item.key}
              conversation={conversation}
              position={item.index + 1}
              setSize={conversations.length}
              offset={item.start}
              isOpen={conversation.id === openId}
              isMuted={isMutedAt(conversation, now)}
              hasTabStop={conversation.id === tabStopId}
              onOpen={open}
              actions={actionsOf(conversation)}
            />
          );
        })}
      </ul>
      {loaded && conversations.length === 0 && (
        <p className="conversation-list__empty">
          {filtering
            ? 'No chats match the filter.'
            : archivedShown
              ? 'No archived chats.'
              : 'No chats yet. Start one with the buttons above.'}
        </p>
      )}
      {muting && <MuteDialog conv={muting.id} title={muting.title} onClose={() => setMuting(null)} />}
    </div>
  );
}
