import { useVirtualizer } from '@tanstack/react-virtual';
import { isSameDay } from 'date-fns';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessage, ConversationSummary } from '../../../shared/api.ts';
import type { MessageWindow } from '../../store/messageWindow.ts';
import { background } from '../../store/chatState.ts';
import { memberName } from '../../store/selectors.ts';
import { useActions, useChat, useMessageWindow } from '../../store/useChat.ts';
import { IconButton } from '../common/IconButton.tsx';
import type { MessageActionHandlers } from './MessageActions.tsx';
import { MessageRow } from './MessageRow.tsx';

/** A one-line bubble; rows are measured once rendered. */
const ESTIMATED_ROW_HEIGHT = 56;
/** Closer than this to the bottom counts as reading the latest message. */
const AT_END_PX = 48;
/** Closer than this to the top loads the next older page. */
const LOAD_OLDER_PX = 800;
const HIGHLIGHT_MS = 1_600;

/** The index of the first message from others after the unread marker. */
function firstUnreadIndex(messages: MessageWindow, afterSeq: number): number {
  for (let i = messages.indexAtOrAfterSeq(afterSeq + 1); i < messages.size; i++) {
    const message = messages.at(i)!;
    if (message.seq === null) break;
    if (!message.mine) return i;
  }
  return -1;
}

/** The open conversation's messages, virtualised: only the rows in view
 * are in the page, so 100,000 messages scroll like 100. Anchored at the
 * bottom like every chat: it opens at the newest message (or the first
 * unread), follows new ones while at the bottom, keeps what is on screen in
 * place when older pages load above it, and offers a jump back down. */
export function MessageList({ conversation }: { conversation: ConversationSummary }) {
  const conv = conversation.id;
  const messages = useMessageWindow(conv);
  const version = messages?.version ?? -1;
  const rowCount = messages?.loaded ? messages.size : 0;
  const me = useChat((state) => state.account?.user.id);
  const marker = useChat((state) => (state.unreadMarker?.conv === conv ? state.unreadMarker : null));
  const loadingOlder = useChat((state) => state.loadingOlder.has(conv));
  const jumpPending = useChat((state) => state.jumpTarget?.conv === conv);
  const actions = useActions();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [atEnd, setAtEnd] = useState(true);
  const [highlightCid, setHighlightCid] = useState<string | null>(null);
  /** A message to focus once its row is rendered (after a jump). */
  const pendingFocus = useRef<string | null>(null);
  const positioned = useRef(false);

  // The window changes in place: its version is what tells the virtualiser
  // that keys may have moved.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const getItemKey = useCallback((index: number) => messages?.at(index)?.cid ?? index, [messages, version]);

  // The app does not use the React Compiler, whose memoisation this warns about.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    getItemKey,
    overscan: 10,
    paddingStart: 12,
    paddingEnd: 12,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: AT_END_PX,
  });

  const dividerIndex = messages && marker ? firstUnreadIndex(messages, marker.afterSeq) : -1;

  // Open at the first unread message, or else at the newest.
  useLayoutEffect(() => {
    if (positioned.current || rowCount === 0) return;
    positioned.current = true;
    if (dividerIndex >= 0) virtualizer.scrollToIndex(dividerIndex, { align: 'start' });
    else virtualizer.scrollToEnd();
  }, [rowCount, dividerIndex, virtualizer]);

  // followOnAppend keeps the view at the bottom when a row is added last; a
  // message that arrives while the outbox's rows stay last lands above them,
  // and needs the same.
  useEffect(() => {
    if (atEnd && positioned.current) virtualizer.scrollToEnd();
  }, [version, atEnd, virtualizer]);

  // A message the user just sent is shown even when scrolled up.
  const newest = messages?.at(rowCount - 1);
  const newestCid = useRef(newest?.cid);
  useEffect(() => {
    if (newest && newest.cid !== newestCid.current && newest.mine && newest.status === 'queued') virtualizer.scrollToEnd();
    newestCid.current = newest?.cid;
  }, [newest, virtualizer]);

  // Opening a chat reads it, as in WhatsApp; so do messages arriving while
  // it is open and the app is visible.
  useEffect(() => {
    if (conversation.unread === 0) return;
    const markIfVisible = () => {
      if (document.visibilityState === 'visible') actions.markRead(conv);
    };
    markIfVisible();
    document.addEventListener('visibilitychange', markIfVisible);
    return () => document.removeEventListener('visibilitychange', markIfVisible);
  }, [conv, conversation.unread, version, actions]);

  // Near the top (or when the messages do not fill the view), fetch older ones.
  useEffect(() => {
    const scroller = scrollRef.current;
    if (scroller && rowCount > 0 && scroller.scrollTop < LOAD_OLDER_PX) void actions.loadOlderMessages(conv);
  }, [conv, rowCount, version, actions]);

  useEffect(() => {
    const cid = pendingFocus.current;
    if (cid === null) return;
    const rendered = scrollRef.current?.querySelectorAll<HTMLElement>('[data-cid]') ?? [];
    const target = [...rendered].find((element) => element.dataset.cid === cid);
    if (target) {
      pendingFocus.current = null;
      target.focus({ preventScroll: true });
    }
  });

  useEffect(() => {
    if (highlightCid === null) return;
    const timer = setTimeout(() => setHighlightCid(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlightCid]);

  function onScroll() {
    const scroller = scrollRef.current;
    if (!scroller) return;
    setAtEnd(scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= AT_END_PX);
    if (scroller.scrollTop < LOAD_OLDER_PX) void actions.loadOlderMessages(conv);
  }

  // Stable handlers, so that rows re-render only when their message does.
  const jumpTo = useCallback(
    async (seq: number) => {
      const index = await actions.revealMessage(conv, seq);
      const target = messages?.at(index);
      if (!target) return;
      virtualizer.scrollToIndex(index, { align: 'center' });
      pendingFocus.current = target.cid;
      setHighlightCid(target.cid);
    },
    [actions, conv, messages, virtualizer],
  );
  // A message chosen from the search results: once the first page is in
  // place, load down to it, scroll there and highlight it.
  const loaded = messages?.loaded ?? false;
  useEffect(() => {
    if (!jumpPending || !loaded) return;
    const seq = actions.takeJumpTarget(conv);
    if (seq !== null) void jumpTo(seq);
  }, [jumpPending, loaded, actions, conv, jumpTo]);
  const retry = useCallback((cid: string) => actions.retry(conv, cid), [actions, conv]);
  const deleteUnsent = useCallback((cid: string) => actions.deleteUnsent(conv, cid), [actions, conv]);
  const messageActions = useMemo<MessageActionHandlers>(
    () => ({
      onReply: actions.setReplyTarget,
      onEdit: actions.setEditTarget,
      onForward: actions.openForward,
      onReact: (message, emoji) => background(actions.toggleReaction(conv, message, emoji)),
      onDeleteForEveryone: (message) => background(actions.deleteForEveryone(conv, message)),
    }),
    [actions, conv],
  );

  function jumpToLatest() {
    virtualizer.scrollToEnd();
    scrollRef.current?.focus({ preventScroll: true });
  }

  function authorOf(message: ChatMessage): string {
    if (message.from === me) return 'You';
    return conversation.kind === 'group' ? memberName(conversation, message.from) : conversation.title;
  }

  return (
    <div className="message-list">
      <div
        ref={scrollRef}
        className="message-list__scroller"
        role="log"
        aria-label="Messages"
        // Announce new messages only at the bottom: elsewhere, rows entering
        // the page are scrolling, not news.
        aria-live={atEnd ? 'polite' : 'off'}
        tabIndex={0}
        onScroll={onScroll}
      >
        <div className="message-list__canvas" style={{ height: virtualizer.getTotalSize() }}>
          {messages &&
            virtualizer.getVirtualItems().map((item) => {
              const message = messages.at(item.index)!;
              const previous = messages.at(item.index - 1);
              const showDate = !previous || !isSameDay(previous.ts, message.ts);
              const startsRun = showDate || previous.from !== message.from || item.index === dividerIndex;
              const quotedIndex = message.replyTo === undefined ? -1 : messages.indexOfSeq(message.replyTo);
              const quoted = messages.at(quotedIndex);
              return (
                <div
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  className="message-list__row"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  <MessageRow
                    message={message}
                    showDate={showDate}
                    unreadCount={item.index === dividerIndex && marker ? marker.count : null}
                    author={authorOf(message)}
                    showAuthor={conversation.kind === 'group' && !message.mine && startsRun}
                    startsRun={startsRun}
                    quoted={quoted}
                    quotedAuthor={quoted ? authorOf(quoted) : null}
                    highlighted={message.cid === highlightCid}
                    me={me}
                    actions={messageActions}
                    onJumpToQuote={jumpTo}
                    onRetry={retry}
                    onDelete={deleteUnsent}
                  />
                </div>
              );
            })}
        </div>
        {messages?.loaded && rowCount === 0 && <p className="message-list__empty">No messages yet. Say hello!</p>}
      </div>
      {loadingOlder && (
        <p className="message-list__loading" role="status">
          Loading older messages…
        </p>
      )}
      {!atEnd && <IconButton className="message-list__jump" label="Jump to latest" icon="expand-more" onClick={jumpToLatest} />}
    </div>
  );
}
