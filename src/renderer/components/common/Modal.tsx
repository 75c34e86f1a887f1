import { useEffect, useId, useRef, type ReactNode } from 'react';
import { IconButton } from './IconButton.tsx';

/** A modal dialog on the native <dialog>: the browser makes the rest of the
 * page inert, keeps Tab inside and turns Esc into `cancel`. It opens when
 * mounted and is closed by unmounting it (the owner's state decides), so Esc
 * and the close button only ask the owner through `onClose`. Focus goes to
 * the element marked `data-autofocus` and back to the opener afterwards. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // StrictMode mounts twice; a dialog that is already open stays as it is.
    if (!dialog.open) dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    // Removing an open dialog from the page takes it out of the top layer
    // without a `close` event, so unmounting needs no close() call.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className="modal"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      // Chromium may close a dialog itself (a second Esc without user
      // activation cannot be cancelled); keep the owner's state in step.
      onClose={onClose}
    >
      <header className="modal__header">
        <h2 className="modal__title" id={titleId}>
          {title}
        </h2>
        <IconButton label="Close" icon="close" onClick={onClose} />
      </header>
      <div className="modal__body">{children}</div>
    </dialog>
  );
}
