// How components reach the store: one context holding the store instance
// (created by mountApp, or by a test) and selector hooks over it.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ChatActions, ChatState, ChatStore } from './chatState.ts';
import type { MessageWindow } from './messageWindow.ts';

export const ChatStoreContext = createContext<ChatStore | null>(null);

export function useChatStore(): ChatStore {
  const store = useContext(ChatStoreContext);
  if (!store) throw new Error('useChatStore outside ChatStoreContext');
  return store;
}

export function useChat<T>(selector: (state: ChatState) => T): T {
  return useStore(useChatStore(), selector);
}

export function useActions(): ChatActions {
  return useChat((state) => state.actions);
}

/** A conversation's loaded messages. The window changes in place, so the
 * component subscribes to its version to re-render on every change. */
export function useMessageWindow(conv: string): MessageWindow | undefined {
  const window = useChat((state) => state.windows.get(conv));
  useChat((state) => state.windows.get(conv)?.version);
  return window;
}
