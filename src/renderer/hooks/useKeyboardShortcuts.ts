import { useEffect } from 'react';
import { FILTER_INPUT_ID } from '../components/sidebar/ConversationFilter.tsx';
import { shortcuts } from '../keyboard/shortcuts.ts';
import { useChatStore } from '../store/useChat.ts';

/** The app-wide shortcuts of the chat screen. A modal dialog has them off:
 * it owns the keyboard until it closes. */
export function useKeyboardShortcuts(): void {
  const store = useChatStore();
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const { dialog, actions } = store.getState();
      if (event.defaultPrevented || dialog) return;
      if (shortcuts.filterChats.matches(event)) document.getElementById(FILTER_INPUT_ID)?.focus();
      else if (shortcuts.nextChat.matches(event)) actions.openAdjacentConversation(1);
      else if (shortcuts.previousChat.matches(event)) actions.openAdjacentConversation(-1);
      else if (shortcuts.newChat.matches(event)) actions.openDialog('new-chat');
      else if (shortcuts.newGroup.matches(event)) actions.openDialog('new-group');
      else return;
      event.preventDefault();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}
