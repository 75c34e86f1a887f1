import type { ChatMessage } from '../../../shared/api.ts';
import { IconButton } from '../common/IconButton.tsx';

/** Above the composer while replying: what is being quoted, and a way out. */
export function ReplyPreview({ message, author, onCancel }: { message: ChatMessage; author: string; onCancel(): void }) {
  return (
    <div className="reply-preview">
      <div className="reply-preview__quote">
        <span className="reply-preview__author">Replying to {author}</span>
        <span className="reply-preview__body">{message.body}</span>
      </div>
      <IconButton label="Cancel reply" icon="close" onClick={onCancel} />
    </div>
  );
}
