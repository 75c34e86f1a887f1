import type { ChatMessage } from '../../../shared/api.ts';

/** The quote at the top of a reply; activating it scrolls to the quoted
 * message, loading older pages first when it is not loaded yet. */
export function QuotedMessage({ quoted, author, onJump }: { quoted: ChatMessage | undefined; author: string | null; onJump(): void }) {
  const body = quoted ? quoted.body : 'Earlier message';
  return (
    <button
      type="button"
      className="quote"
      // Spelled out rather than left to the content, whose parts would run
      // together ("Bob MarleyLunch at noon?").
      aria-label={author ? `Go to the quoted message from ${author}: ${body}` : `Go to the quoted message: ${body}`}
      onClick={onJump}
    >
      {/* The space keeps the visible text ("Bob Lunch…") a part of the name
          (axe-core's label-content-name-mismatch). */}
      {author && <span className="quote__author">{author}</span>}{' '}
      <span className="quote__body">{body}</span>
    </button>
  );
}
