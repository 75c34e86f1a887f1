import { useState } from 'react';
import { useActions, useChat } from '../../store/useChat.ts';
import { Avatar } from '../common/Avatar.tsx';
import { Modal } from '../common/Modal.tsx';

/** Forward: the chosen message goes to the conversation picked here, as a
 * new message marked `Forwarded`. Each conversation is a button named by
 * its title. */
export function ForwardDialog() {
  const { closeDialog, forwardTo } = useActions();
  const source = useChat((state) => state.forwardSource);
  const all = useChat((state) => state.conversations);
  // Every conversation, whatever the chat list's filter, most recent first.
  const conversations = [...all.values()].sort((a, b) => b.lastActivity - a.lastActivity);
  const [error, setError] = useState<string | null>(null);

  async function choose(conv: string, title: string) {
    setError(null);
    try {
      await forwardTo(conv);
    } catch {
      setError(`Could not forward the message to ${title}.`);
    }
  }

  return (
    <Modal title="Forward message" onClose={closeDialog}>
      {source && <p className="forward__preview">{source.body}</p>}
      <ul className="forward__list" aria-label="Forward to">
        {conversations.map((conversation) => (
          <li key={conversation.id}>
            <button type="button" className="user-option" onClick={() => void choose(conversation.id, conversation.title)}>
              <Avatar id={conversation.peerId ?? conversation.id} name={conversation.title} size="small" />
              <span className="user-option__text">
                <span className="user-option__name">{conversation.title}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
