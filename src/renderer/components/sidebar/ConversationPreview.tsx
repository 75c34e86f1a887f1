import type { ChatMessage, ConversationSummary } from '../../../shared/api.ts';
import { memberName } from '../../store/selectors.ts';
import { useChat } from '../../store/useChat.ts';
import { StatusMark } from '../common/StatusMark.tsx';

/** The line under the title: a draft if one waits (not for the open chat,
 * whose composer shows it), else a reaction newer than the last message
 * ("Alice reacted 👍 to “…”"), else the last message in its latest state. */
export function ConversationPreview({ conversation, isOpen }: { conversation: ConversationSummary; isOpen: boolean }) {
  const me = useChat((state) => state.account?.user.id);
  if (conversation.draft && !isOpen) {
    return (
      <>
        <span className="conversation-item__draft">Draft:</span> {conversation.draft}
      </>
    );
  }
  const reaction = conversation.lastReaction;
  if (reaction) {
    const who = reaction.from === me ? 'You' : memberName(conversation, reaction.from);
    return `${who} reacted ${reaction.emoji} to “${reaction.body}”`;
  }
  const last = conversation.lastMessage;
  if (!last) return null;
  if (last.mine) {
    return (
      <>
        {last.status && !last.deleted && <StatusMark status={last.status} />} {previewText(last)}
      </>
    );
  }
  return conversation.kind === 'group' ? `${memberName(conversation, last.from)}: ${previewText(last)}` : previewText(last);
}

/** The message as the list shows it: in its latest state, as WhatsApp does. */
function previewText(message: ChatMessage): string {
  if (message.deleted) return 'This message was deleted';
  // A message with a file comes with its one line from the engine.
  const text = message.summary ?? message.body;
  return message.editedAt !== undefined ? `✏️ ${text}` : text;
}
