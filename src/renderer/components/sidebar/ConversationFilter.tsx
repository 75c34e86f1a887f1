import type { KeyboardEvent } from 'react';
import { shortcuts } from '../../keyboard/shortcuts.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { Icon } from '../common/Icon.tsx';
import { CONVERSATION_LIST_ID } from './ConversationList.tsx';

/** The filter box's id, so that the shortcut can focus it. */
export const FILTER_INPUT_ID = 'conversation-filter';

export function ConversationFilter() {
  const filter = useChat((state) => state.filter);
  const { setFilter } = useActions();

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Escape' && filter) {
      event.preventDefault();
      setFilter('');
    } else if (event.key === 'ArrowDown') {
      // Straight from the filter to the first matching chat.
      event.preventDefault();
      document.querySelector<HTMLElement>(`#${CONVERSATION_LIST_ID} [tabindex="0"]`)?.focus();
    }
  }

  return (
    <div className="conversation-filter">
      <Icon name="search" className="conversation-filter__icon" />
      <input
        id={FILTER_INPUT_ID}
        className="conversation-filter__input"
        type="search"
        aria-label="Search chats and messages"
        placeholder="Search chats and messages"
        title={`Search chats and messages (${shortcuts.filterChats.keys})`}
        autoComplete="off"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
