import { useId } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { Avatar } from '../common/Avatar.tsx';
import { Icon } from '../common/Icon.tsx';

/** A user to pick. Its accessible name is exactly the display name (the UI
 * contract): the username is shown but hidden from the name, and serves as
 * the description instead. With `selected`, it is a toggle button
 * (aria-pressed), for choosing several. */
export function UserOption({ user, selected, onClick }: { user: User; selected?: boolean; onClick(): void }) {
  const usernameId = useId();
  return (
    <button
      type="button"
      className="user-option"
      aria-describedby={usernameId}
      aria-pressed={selected}
      onClick={onClick}
    >
      <Avatar id={user.id} name={user.displayName} photo={user.photo} size="small" />
      <span className="user-option__text">
        <span className="user-option__name">{user.displayName}</span>
        <span className="user-option__username" id={usernameId} aria-hidden="true">
          @{user.username}
        </span>
      </span>
      {selected && <Icon name="check" className="user-option__check" />}
    </button>
  );
}
