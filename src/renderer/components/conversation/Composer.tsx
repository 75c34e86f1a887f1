import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ConversationSummary } from '../../../shared/api.ts';
import { memberName } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { IconButton } from '../common/IconButton.tsx';
import { ReplyPreview } from './ReplyPreview.tsx';
import { useDraftAutosave } from './useDraftAutosave.ts';

/** Writing a message: Enter sends, Shift+Enter adds a line, the field grows
 * with its text (up to a few lines, see conversation.css), and the draft is
 * kept per conversation. Mounted per conversation, so it starts from that
 * conversation's saved draft. */
export function Composer({ conversation }: { conversation: ConversationSummary }) {
  const conv = conversation.id;
  const [text, setText] = useState(conversation.draft);
  const replyTarget = useChat((state) => state.replyTarget);
  const me = useChat((state) => state.account?.user.id);
  const actions = useActions();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  useDraftAutosave(conv, text);

  // Ready to type, after any saved draft, when the conversation opens and
  // when a reply is chosen.
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }, [replyTarget]);

  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  }, [text]);

  async function send() {
    const body = text.trim();
    if (!body) return;
    setText('');
    actions.saveDraft(conv, '');
    actions.setTyping(conv, false);
    try {
      await actions.send(conv, body);
    } catch (error) {
      // Not even queued: give the text back rather than lose it.
      setText((current) => current || body);
      console.error('Duplex:', error);
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter that confirms an IME composition is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape' && replyTarget) {
      event.preventDefault();
      actions.setReplyTarget(null);
    }
  }

  const replyAuthor =
    replyTarget && (replyTarget.from === me ? 'yourself' : conversation.kind === 'group' ? memberName(conversation, replyTarget.from) : conversation.title);
  return (
    <div className="composer">
      {replyTarget && replyAuthor && (
        <ReplyPreview message={replyTarget} author={replyAuthor} onCancel={() => actions.setReplyTarget(null)} />
      )}
      <form className="composer__form" onSubmit={onSubmit}>
        <textarea
          ref={inputRef}
          className="composer__input"
          aria-label="Message"
          placeholder="Type a message"
          rows={1}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            actions.setTyping(conv, event.target.value.trim() !== '');
          }}
          onKeyDown={onKeyDown}
        />
        <IconButton type="submit" className="composer__send" label="Send" icon="send" disabled={text.trim() === ''} />
      </form>
    </div>
  );
}
