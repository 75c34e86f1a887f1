import type { ChatFile } from '../../../../shared/api.ts';
import { Modal } from '../../common/Modal.tsx';
import { DownloadButton } from './DownloadButton.tsx';

/** An image at full size in a modal dialog named `Image viewer`, with
 * `Download` and `Close` (Escape closes too, as every Modal). */
export function ImageViewer({ file, url, onClose }: { file: ChatFile; url: string; onClose(): void }) {
  return (
    <Modal title="Image viewer" onClose={onClose}>
      <figure className="image-viewer">
        <img src={url} alt={file.name} className="image-viewer__image" />
        <figcaption className="image-viewer__caption">
          <span>{file.name}</span>
          <DownloadButton file={file} label="Download" />
        </figcaption>
      </figure>
    </Modal>
  );
}
