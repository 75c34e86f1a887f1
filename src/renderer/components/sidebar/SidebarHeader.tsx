import { shortcuts } from '../../keyboard/shortcuts.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { Avatar } from '../common/Avatar.tsx';
import { IconButton } from '../common/IconButton.tsx';
import { UserMenu } from './UserMenu.tsx';

export function SidebarHeader() {
  const me = useChat((state) => state.account?.user);
  const { openDialog } = useActions();
  return (
    <header className="sidebar-header">
      {me && <Avatar id={me.id} name={me.displayName} photo={me.photo} />}
      <h1 className="sidebar-header__title">Chats</h1>
      <div className="sidebar-header__actions">
        <IconButton label="New chat" icon="new-chat" shortcut={shortcuts.newChat.keys} onClick={() => openDialog('new-chat')} />
        <IconButton label="New group" icon="new-group" shortcut={shortcuts.newGroup.keys} onClick={() => openDialog('new-group')} />
        <UserMenu />
      </div>
    </header>
  );
}
