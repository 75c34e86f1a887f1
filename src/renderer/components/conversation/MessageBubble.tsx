import { type CSSProperties, useState } from 'react';
import type { ChatMessage } from '../../../shared/api.ts';
import { avatarHue } from '../../format/names.ts';
import { formatClockTime } from '../../format/time.ts';
import { StatusMark } from '../common/StatusMark.tsx';
import { type ActionsPanel, type MessageActionHandlers, MessageActions } from './MessageActions.tsx';
import { FileContent } from './files/FileContent.tsx';
import { MessageText } from './MessageText.tsx';
import { QuotedMessage } from './QuotedMessage.tsx';
import { ReactionsRow } from './ReactionsRow.tsx';

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
  /** The signed-in user's id: which reaction is theirs, and whose mentions
   * stand out. */
  me: string | undefined;
  /** The message menu's actions; stable, so that rows stay memoised. */
  actions: MessageActionHandlers;
  onJumpToQuote(seq: number): void;
  onRetry(cid: string): void;
  onDelete(cid: string): void;
}

/** One message: the element that carries the UI contract's data-cid,
 * data-seq (once stored), data-mine, on the user's own data-status, and
 * data-edited / data-deleted once changed. */
export function MessageBubble(props: MessageBubbleProps) {
  const { message, author, showAuthor, startsRun, quoted, quotedAuthor, highlighted, me, actions } = props;
  const { replyTo, reactions } = message;
  // A right-click opens the same menu as the button.
  const [panel, setPanel] = useState<ActionsPanel>(null);
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
      data-edited={message.editedAt !== undefined && !message.deleted ? 'true' : undefined}
      data-deleted={message.deleted ? 'true' : undefined}
      data-highlighted={highlighted ? 'true' : undefined}
      onContextMenu={(event) => {
        // Text selected inside the bubble keeps the browser's own menu (Copy).
        if (window.getSelection()?.toString()) return;
        event.preventDefault();
        setPanel('menu');
      }}
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
        {message.forwarded && <p className="bubble__forwarded">Forwarded</p>}
        {replyTo !== undefined && (
          <QuotedMessage quoted={quoted} author={quotedAuthor} onJump={() => props.onJumpToQuote(replyTo)} />
        )}
        {message.file && !message.deleted && <FileContent message={message} file={message.file} />}
        <p
          className={
            message.deleted
              ? 'bubble__body bubble__body--deleted'
              : message.file && !message.body
                ? 'bubble__body bubble__body--empty'
                : 'bubble__body'
          }
        >
          {message.deleted ? 'This message was deleted' : <MessageText body={message.body} mentions={message.mentions} me={me} />}
          {/* Keeps the last line clear of the time, which floats over it. */}
          <span className="bubble__meta-spacer" aria-hidden="true" />
        </p>
        <span className="bubble__meta">
          {message.editedAt !== undefined && !message.deleted && <span className="bubble__edited">edited</span>}
          <time dateTime={new Date(message.ts).toISOString()}>{formatClockTime(message.ts)}</time>
          {message.mine && message.status && <StatusMark status={message.status} />}
        </span>
      </div>
      {reactions && <ReactionsRow reactions={reactions} me={me} onToggle={(emoji) => actions.onReact(message, emoji)} />}
      <MessageActions message={message} handlers={actions} panel={panel} setPanel={setPanel} myReaction={me && reactions?.[me]} />
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
