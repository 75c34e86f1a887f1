import { type FormEvent, useState } from 'react';
import { formatFileSize } from '../../../files/formatFile.ts';
import type { PreparedFile } from '../../../files/prepareFile.ts';
import { Icon } from '../../common/Icon.tsx';
import { IconButton } from '../../common/IconButton.tsx';
import './files.css';

/** Chosen files before they go, in the composer's place: each with its
 * thumbnail or name and size, a `Caption` for the first, and `Send`. */
export function AttachmentPreview({
  files,
  onSend,
  onDiscard,
}: {
  files: readonly PreparedFile[];
  onSend(caption: string): void;
  onDiscard(): void;
}) {
  const [caption, setCaption] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    onSend(caption);
  }
  return (
    <form className="attachments" onSubmit={submit}>
      <ul className="attachments__list" aria-label="Chosen files">
        {files.map((file, index) => (
          <li key={index} className="attachments__item">
            {file.thumb ? <img src={file.thumb} alt="" className="attachments__thumb" /> : <Icon name="document" />}
            <span className="attachments__name">{file.name}</span>
            <span className="attachments__size">{formatFileSize(file.bytes.byteLength)}</span>
          </li>
        ))}
      </ul>
      <div className="composer__form">
        <IconButton label="Discard files" icon="close" onClick={onDiscard} />
        <input
          className="composer__input"
          aria-label="Caption"
          placeholder="Add a caption"
          value={caption}
          autoFocus
          onChange={(event) => setCaption(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              onDiscard();
            }
          }}
        />
        <IconButton type="submit" className="composer__send" label="Send" icon="send" />
      </div>
    </form>
  );
}
