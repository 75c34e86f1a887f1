import { useChat } from '../../store/useChat.ts';
import { Composer } from './Composer.tsx';
import { ConversationHeader } from './ConversationHeader.tsx';
import { MessageList } from './MessageList.tsx';
import './conversation.css';

/** The open conversation. Mounted per conversation (keyed by id), so that
 * scroll position, composer text and timers start afresh for each. */
export function ConversationPane({ id }: { id: string }) {
  const conversation = useChat((state) => state.conversations.get(id));
  if (!conversation) return null;
  return (
    <section className="conversation" aria-label={conversation.title}>
      <ConversationHeader conversation={conversation} />
      <MessageList conversation={conversation} />
      <Composer conversation={conversation} />
    </section>
  );
}
