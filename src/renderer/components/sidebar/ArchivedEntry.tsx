import { selectArchivedCount, selectArchivedUnread } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { Icon } from '../common/Icon.tsx';

/** The `Archived` entry at the top of the chat list, as in WhatsApp: there
 * while any chat is archived (or while the archived chats are shown), it
 * switches the list to the archived chats and back. Its accessible name is
 * exactly `Archived` (the UI contract); the count of archived chats with
 * unread messages is decorative. */
export function ArchivedEntry() {
  const archived = useChat(selectArchivedCount);
  const unread = useChat(selectArchivedUnread);
  const shown = useChat((state) => state.archivedShown);
  const { showArchived } = useActions();
  if (archived === 0 && !shown) return null;
  return (
    <button type="button" className="archived-entry" aria-pressed={shown} onClick={() => showArchived(!shown)}>
      <Icon name={shown ? 'back' : 'archive'} />
      <span className="archived-entry__label">Archived</span>
      {unread > 0 && (
        <span className="archived-entry__count" aria-hidden="true">
          {unread}
        </span>
      )}
    </button>
  );
}
