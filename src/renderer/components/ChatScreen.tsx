import { useKeyboardShortcuts } from '../hooks/useKeyboardShortcuts.ts';
import { useChat } from '../store/useChat.ts';
import { ConversationPane } from './conversation/ConversationPane.tsx';
import { EmptyPane } from './conversation/EmptyPane.tsx';
import { ForwardDialog } from './dialogs/ForwardDialog.tsx';
import { GroupInfoDialog } from './dialogs/GroupInfoDialog.tsx';
import { NewChatDialog } from './dialogs/NewChatDialog.tsx';
import { NewGroupDialog } from './dialogs/NewGroupDialog.tsx';
import { SettingsDialog } from './dialogs/SettingsDialog.tsx';
import { Sidebar } from './sidebar/Sidebar.tsx';
import './chat-screen.css';
import './dialogs/dialogs.css';

/** The signed-in app: the chat list on the left, the open conversation on
 * the right (one at a time on narrow screens), and at most one dialog. */
export function ChatScreen() {
  useKeyboardShortcuts();
  const openId = useChat((state) => state.openId);
  const dialog = useChat((state) => state.dialog);
  return (
    <div className={openId ? 'chat-screen chat-screen--conversation-open' : 'chat-screen'}>
      <Sidebar />
      <main className="pane">{openId ? <ConversationPane key={openId} id={openId} /> : <EmptyPane />}</main>
      {dialog === 'new-chat' && <NewChatDialog />}
      {dialog === 'new-group' && <NewGroupDialog />}
      {dialog === 'settings' && <SettingsDialog />}
      {dialog === 'group-info' && openId && <GroupInfoDialog key={openId} id={openId} />}
      {dialog === 'forward' && <ForwardDialog />}
    </div>
  );
}
