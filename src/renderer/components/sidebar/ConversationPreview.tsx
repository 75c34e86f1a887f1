import type { ConversationSummary } from '../../../shared/api.ts';
import { memberName } from '../../store/selectors.ts';
import { StatusMark } from '../common/StatusMark.tsx';

/** The line under the title: a draft if one waits (not for the open chat,
 * whose composer shows it), else the last message. */
export function ConversationPreview({ conversation, isOpen }: { conversation: ConversationSummary; isOpen: boolean }) {
  if (conversation.draft && !isOpen) {
    return (
      <>
        <span className="conversation-item__draft">Draft:</span> {conversation.draft}
      </>
    );
  }
  const last = conversation.lastMessage;
  if (!last) return null;
  if (last.mine) {
    return (
      <>
        {last.status && <StatusMark status={last.status} />} {last.body}
      </>
    );
  }
  return conversation.kind === 'group' ? `${memberName(conversation, last.from)}: ${last.body}` : last.body;
}
