import type { CSSProperties } from 'react';
import type { ChatMessage } from '../../../shared/api.ts';
import { avatarHue } from '../../format/names.ts';
import { formatClockTime } from '../../format/time.ts';
import { IconButton } from '../common/IconButton.tsx';
import { StatusMark } from '../common/StatusMark.tsx';
import { QuotedMessage } from './QuotedMessage.tsx';

export interface MessageBubbleProps {
  message: ChatMessage;
  /** "You", the other person, or the group member who wrote it. */
  author: string;
  /** Groups name the author above the first bubble of a run. */
  showAuthor: boolean;
  /** The first bubble of a run gets the little tail. */
  startsRun: boolean;
  /** The message this one replies to, when loaded. */
  quoted: ChatMessage | undefined;
  quotedAuthor: string | null;
  highlighted: boolean;
  onReply(message: ChatMessage): void;
  onJumpToQuote(seq: number): void;
  onRetry(cid: string): void;
  onDelete(cid: string): void;
}

/** One message: the element that carries the UI contract's data-cid,
 * data-seq (once stored), data-mine and, on the user's own, data-status. */
export function MessageBubble(props: MessageBubbleProps) {
  const { message, author, showAuthor, startsRun, quoted, quotedAuthor, highlighted } = props;
  const { replyTo } = message;
  const classes = ['message', message.mine ? 'message--mine' : 'message--theirs'];
  if (startsRun) classes.push('message--starts-run');
  if (highlighted) classes.push('message--highlighted');
  return (
    <div
      className={classes.join(' ')}
      data-cid={message.cid}
      data-seq={message.seq ?? undefined}
      data-mine={String(message.mine)}
      data-status={message.mine ? message.status : undefined}
      // Focusable from script, so that jumping to a quote moves focus there.
      tabIndex={-1}
    >
      <div className="bubble">
        {showAuthor ? (
          <p className="bubble__author" style={{ '--avatar-hue': avatarHue(message.from) } as CSSProperties}>
            {author}
          </p>
        ) : (
          <span className="visually-hidden">{author}: </span>
        )}
        {replyTo !== undefined && (
          <QuotedMessage quoted={quoted} author={quotedAuthor} onJump={() => props.onJumpToQuote(replyTo)} />
        )}
        <p className="bubble__body">
          {message.body}
          {/* Keeps the last line clear of the time, which floats over it. */}
          <span className="bubble__meta-spacer" aria-hidden="true" />
        </p>
        <span className="bubble__meta">
          <time dateTime={new Date(message.ts).toISOString()}>{formatClockTime(message.ts)}</time>
          {message.mine && message.status && <StatusMark status={message.status} />}
        </span>
      </div>
      {message.seq !== null && (
        <IconButton className="message__reply" label="Reply" icon="reply" onClick={() => props.onReply(message)} />
      )}
      {message.status === 'failed' && (
        <div className="message__failure">
          <span>{message.error ? `Not sent: ${message.error}` : 'Not sent.'}</span>
          <button type="button" className="link-button" onClick={() => props.onRetry(message.cid)}>
            Retry
          </button>
          <button type="button" className="link-button" onClick={() => props.onDelete(message.cid)}>
            Delete
          </button>
        </div>
      )}
    </div>
  );
}
