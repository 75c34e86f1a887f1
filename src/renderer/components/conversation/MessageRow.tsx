import { memo } from 'react';
import { formatDayLabel } from '../../format/time.ts';
import { MessageBubble, type MessageBubbleProps } from './MessageBubble.tsx';

interface MessageRowProps extends MessageBubbleProps {
  /** The first message of a day gets a date separator above it. */
  showDate: boolean;
  /** Set on the first unread message: how many arrived unread. */
  unreadCount: number | null;
}

/** One row of the virtual list: the separators that precede a message, and
 * the message. They are measured as one, so the list needs no extra rows.
 * Memoised: scrolling re-renders the list, not the rows already shown. */
export const MessageRow = memo(function MessageRow({ showDate, unreadCount, ...bubble }: MessageRowProps) {
  return (
    <>
      {showDate && (
        <div className="date-separator">
          <span>{formatDayLabel(bubble.message.ts)}</span>
        </div>
      )}
      {unreadCount !== null && (
        <div className="unread-divider">
          <span>{unreadCount === 1 ? '1 unread message' : `${unreadCount} unread messages`}</span>
        </div>
      )}
      <MessageBubble {...bubble} />
    </>
  );
});
