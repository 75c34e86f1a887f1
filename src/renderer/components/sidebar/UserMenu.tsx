import { useActions } from '../../store/useChat.ts';
import { MenuButton } from '../common/MenuButton.tsx';

/** The signed-in user's menu. */
export function UserMenu() {
  const { openDialog, signOut } = useActions();
  return (
    <MenuButton
      className="user-menu"
      label="Menu"
      icon="more-vert"
      items={[
        { label: 'Settings', onSelect: () => openDialog('settings') },
        { label: 'Sign out', onSelect: signOut },
      ]}
    />
  );
}
