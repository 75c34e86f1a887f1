import type { MessageSearchHit, TextRange } from '../../../shared/api.ts';
import { formatListTime } from '../../format/time.ts';
import { useDebouncedSearch } from '../../hooks/useDebouncedSearch.ts';
import { memberName } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { HighlightedText } from '../common/HighlightedText.tsx';
import './search.css';

/** Characters of context kept before the first match in a long message. */
const CONTEXT_BEFORE = 30;

const FAILURE = 'Could not search the messages on this device.';

/** The start of a long body is cut so that the first match is in view. */
function excerpt(body: string, highlights: readonly TextRange[]): { text: string; ranges: TextRange[] } {
  const first = highlights[0]?.start ?? 0;
  if (first <= CONTEXT_BEFORE) return { text: body, ranges: [...highlights] };
  const cut = body.lastIndexOf(' ', first - CONTEXT_BEFORE / 2) + 1 || first - CONTEXT_BEFORE / 2;
  const shift = cut - 1;
  return {
    text: `…${body.slice(cut)}`,
    ranges: highlights.map((range) => ({ start: range.start - shift, end: range.end - shift })),
  };
}

/** The messages that match the sidebar's search box, newest first (search
 * runs on the device: DuplexApi.searchMessages). Each is a button naming the
 * chat and showing the message with the matching words marked; choosing one
 * opens the chat at that message. */
export function MessageResults({ query }: { query: string }) {
  const { searchMessages, jumpToMessage } = useActions();
  const conversations = useChat((state) => state.conversations);
  const me = useChat((state) => state.account?.user.id);
  const { results, searching, noMatch, error } = useDebouncedSearch(query, searchMessages, FAILURE);

  function author(hit: MessageSearchHit): string | null {
    const conversation = conversations.get(hit.message.conv);
    if (hit.message.from === me) return 'You';
    return conversation?.kind === 'group' ? memberName(conversation, hit.message.from) : null;
  }

  return (
    <section className="message-results" aria-labelledby="message-results-heading">
      <h2 id="message-results-heading" className="message-results__heading">
        Messages
      </h2>
      {error && (
        <p className="message-results__note" role="alert">
          {error}
        </p>
      )}
      {noMatch && <p className="message-results__note">No messages found.</p>}
      {searching && results.length === 0 && <p className="message-results__note">Searching…</p>}
      <ul className="message-results__items" aria-label="Message results" aria-busy={searching}>
        {results.map((hit) => {
          const { message } = hit;
          const conversation = conversations.get(message.conv);
          const shown = excerpt(message.body, hit.highlights);
          const by = author(hit);
          return (
            <li key={`${message.conv}:${message.cid}`}>
              <button
                type="button"
                className="message-result"
                onClick={() => message.seq !== null && jumpToMessage(message.conv, message.seq)}
              >
                <span className="message-result__row">
                  <span className="message-result__chat">{conversation?.title ?? 'Chat'}</span>
                  <span className="message-result__time">{formatListTime(message.ts)}</span>
                </span>
                <span className="message-result__text">
                  {by && <span className="message-result__author">{by}: </span>}
                  <HighlightedText text={shown.text} ranges={shown.ranges} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
