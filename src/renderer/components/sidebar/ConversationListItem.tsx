import type { ConversationSummary } from '../../../shared/api.ts';
import { formatListTime } from '../../format/time.ts';
import { Avatar } from '../common/Avatar.tsx';
import { Icon } from '../common/Icon.tsx';
import { ConversationPreview } from './ConversationPreview.tsx';

interface ConversationListItemProps {
  conversation: ConversationSummary;
  position: number;
  setSize: number;
  /** Where the virtualiser puts the row, in pixels from the top. */
  offset: number;
  isOpen: boolean;
  /** Notifications are off for it (desktop app). */
  isMuted: boolean;
  hasTabStop: boolean;
  onOpen(id: string): void;
}

/** One chat in the list. The button's accessible name starts with the title
 * (the avatar is decorative), and `data-unread` carries the unread count
 * (the UI contract). */
export function ConversationListItem(props: ConversationListItemProps) {
  const { conversation, position, setSize, offset, isOpen, isMuted, hasTabStop, onOpen } = props;
  const unread = conversation.unread;
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
        aria-current={isOpen ? 'true' : undefined}
        tabIndex={hasTabStop ? 0 : -1}
        onClick={() => onOpen(conversation.id)}
      >
        <Avatar id={conversation.id} name={conversation.title} size="large" />
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
              <span className="conversation-item__muted">
                <Icon name="notifications-off" />
                <span className="visually-hidden"> muted</span>
              </span>
            )}
            {unread > 0 && (
              <span className="conversation-item__badge">
                {unread}
                <span className="visually-hidden"> unread</span>
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}
