import { useRef } from 'react';
import { useChat } from '../../store/useChat.ts';
import { Composer, type ComposerHandle } from './Composer.tsx';
import { ConversationHeader } from './ConversationHeader.tsx';
import { MessageList } from './MessageList.tsx';
import './conversation.css';

/** The open conversation. Mounted per conversation (keyed by id), so that
 * scroll position, composer text and timers start afresh for each. */
export function ConversationPane({ id }: { id: string }) {
  const conversation = useChat((state) => state.conversations.get(id));
  // Files dropped anywhere on the conversation go to the composer's preview.
  const composer = useRef<ComposerHandle>(null);
  if (!conversation) return null;
  return (
    <section
      className="conversation"
      aria-label={conversation.title}
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        if (event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        composer.current?.choose([...event.dataTransfer.files]);
      }}
    >
      <ConversationHeader conversation={conversation} />
      <MessageList conversation={conversation} />
      <Composer conversation={conversation} ref={composer} />
    </section>
  );
}
