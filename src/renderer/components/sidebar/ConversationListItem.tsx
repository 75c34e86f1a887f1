import type { ConversationSummary } from '../../../shared/api.ts';
import { formatListTime } from '../../format/time.ts';
import { Avatar } from '../common/Avatar.tsx';
import { Icon } from '../common/Icon.tsx';
import { MenuButton, type MenuItem } from '../common/MenuButton.tsx';
import { ConversationPreview } from './ConversationPreview.tsx';

interface ConversationListItemProps {
  conversation: ConversationSummary;
  position: number;
  setSize: number;
  /** Where the virtualiser puts the row, in pixels from the top. */
  offset: number;
  isOpen: boolean;
  /** Its chat state mutes it now. */
  isMuted: boolean;
  hasTabStop: boolean;
  onOpen(id: string): void;
  /** Pin, archive and mute: the items of its `Chat actions` menu. */
  actions: readonly MenuItem[];
}

/** One chat in the list. The button's accessible name starts with the title
 * (the avatar is decorative); it carries `data-unread` (the unread count)
 * and `data-pinned` (the UI contract). Beside it, `Chat actions` opens the
 * chat's menu (pin, archive, mute). */
export function ConversationListItem(props: ConversationListItemProps) {
  const { conversation, position, setSize, offset, isOpen, isMuted, hasTabStop, onOpen, actions } = props;
  const unread = conversation.unread;
  const pinned = conversation.chatState.pinned;
  return (
    <li
      className="conversation-item"
      aria-posinset={position}
      aria-setsize={setSize}
      style={{ transform: `translateY(${offset}px)` }}
    >
      <button
        type="button"
        className="conversation-item__button"
        data-conversation-id={conversation.id}
        data-unread={unread}
        data-pinned={pinned}
        aria-current={isOpen ? 'true' : undefined}
        tabIndex={hasTabStop ? 0 : -1}
        onClick={() => onOpen(conversation.id)}
      >
        <Avatar id={conversation.id} name={conversation.title} photo={conversation.photo} size="large" />
        <span className="conversation-item__text">
          <span className="conversation-item__row">
            <span className="conversation-item__title">{conversation.title}</span>
            <span className={unread > 0 ? 'conversation-item__time conversation-item__time--unread' : 'conversation-item__time'}>
              {formatListTime(conversation.lastActivity)}
            </span>
          </span>
          <span className="conversation-item__row">
            <span className="conversation-item__preview">
              <ConversationPreview conversation={conversation} isOpen={isOpen} />
            </span>
            {isMuted && (
              <span className="conversation-item__mark">
                <Icon name="notifications-off" />
                <span className="visually-hidden"> muted</span>
              </span>
            )}
            {pinned && (
              <span className="conversation-item__mark">
                <Icon name="pin" />
                <span className="visually-hidden"> pinned</span>
              </span>
            )}
            {unread > 0 && (
              <span className={isMuted ? 'conversation-item__badge conversation-item__badge--muted' : 'conversation-item__badge'}>
                {unread}
                <span className="visually-hidden"> unread</span>
              </span>
            )}
          </span>
        </span>
      </button>
      <MenuButton
        className="conversation-item__actions"
        label="Chat actions"
        icon="expand-more"
        items={actions}
        tabIndex={hasTabStop ? 0 : -1}
      />
    </li>
  );
}
