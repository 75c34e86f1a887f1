import { useState } from 'react';
import type { ChatMessage, ChatFile } from '../../../../shared/api.ts';
import { formatDuration, formatFileSize } from '../../../files/formatFile.ts';
import { useFileUrl } from '../../../files/useFileUrl.ts';
import { useChat } from '../../../store/useChat.ts';
import { Icon } from '../../common/Icon.tsx';
import { DownloadButton } from './DownloadButton.tsx';
import { ImageViewer } from './ImageViewer.tsx';
import './files.css';

/** The file inside a message bubble (docs/ui.md, "Files"): an image (its
 * thumbnail until the bytes are here) that opens the viewer, a voice note
 * that plays in place with its duration, or a document with its name, size
 * and a download button. While the file uploads, a progress bar. */
export function FileContent({ message, file }: { message: ChatMessage; file: ChatFile }) {
  // The engine says what kind it is with the file (docs/ui.md, "Files").
  const kind = message.fileKind ?? 'document';
  return (
    <div className={`file file--${kind}`}>
      {kind === 'photo' ? <Photo file={file} /> : kind === 'voice' ? <VoiceNote file={file} /> : <Document file={file} />}
      {file.id === undefined && message.status !== 'failed' && <UploadProgress cid={message.cid} size={file.size} />}
    </div>
  );
}

function Photo({ file }: { file: ChatFile }) {
  const { url, error } = useFileUrl(file.id, file.mime);
  const [viewing, setViewing] = useState(false);
  const src = url ?? file.thumb;
  const style = file.width && file.height ? { aspectRatio: `${file.width} / ${file.height}` } : undefined;
  return (
    <>
      <button type="button" className="file__photo" style={style} onClick={() => setViewing(true)} disabled={!url}>
        {src ? <img src={src} alt={file.name} className={url ? undefined : 'file__thumb'} /> : <span className="file__placeholder">{file.name}</span>}
      </button>
      {error && <p className="file__error">{error}</p>}
      {viewing && url && <ImageViewer file={file} url={url} onClose={() => setViewing(false)} />}
    </>
  );
}

function VoiceNote({ file }: { file: ChatFile }) {
  const { url, error } = useFileUrl(file.id, file.mime);
  return (
    <div className="file__voice">
      <Icon name="mic" />
      {url ? <audio controls src={url} preload="metadata" aria-label="Voice message" /> : <span className="file__pending">{error ?? 'Voice message'}</span>}
      {file.durationMs !== undefined && <span className="file__duration">{formatDuration(file.durationMs)}</span>}
    </div>
  );
}

function Document({ file }: { file: ChatFile }) {
  return (
    <div className="file__document">
      <Icon name="document" />
      <span className="file__name">{file.name}</span>
      <span className="file__size">{formatFileSize(file.size)}</span>
      {file.id !== undefined && <DownloadButton file={file} label={`Download ${file.name}`} iconOnly />}
    </div>
  );
}

function UploadProgress({ cid, size }: { cid: string; size: number }) {
  const progress = useChat((state) => state.uploads.get(cid));
  const sent = progress?.sent ?? 0;
  const total = progress?.total ?? size;
  return (
    <div
      className="file__progress"
      role="progressbar"
      aria-label="Upload"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={sent}
      aria-valuetext={`${formatFileSize(sent)} of ${formatFileSize(total)}`}
    >
      <span className="file__progress-bar" style={{ width: `${total ? (100 * sent) / total : 0}%` }} />
    </div>
  );
}
