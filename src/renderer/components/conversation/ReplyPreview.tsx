import { IconButton } from '../common/IconButton.tsx';

/** Above the composer while replying (`Replying to NAME`) or editing
 * (`Editing message`): the message concerned, and a way out. */
export function ReplyPreview({ heading, body, onCancel }: { heading: string; body: string; onCancel(): void }) {
  return (
    <div className="reply-preview">
      <div className="reply-preview__quote">
        <span className="reply-preview__author">{heading}</span>
        <span className="reply-preview__body">{body}</span>
      </div>
      <IconButton label="Cancel" icon="close" onClick={onCancel} />
    </div>
  );
}
