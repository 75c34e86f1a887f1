import { lazy, Suspense } from 'react';
import { Modal } from '../common/Modal.tsx';

// The picker (emoji-picker-element and its data) is a chunk of its own,
// loaded the first time a picker opens: most sessions never open one.
const EmojiPicker = lazy(() => import('./EmojiPicker.tsx'));

/** The full emoji picker in a dialog (docs/ui.md, "Emoji"): for a reaction
 * beyond the quick ones, and for the composer. `onPick` gets the emoji as
 * text (with the skin tone chosen); the owner closes the dialog. */
export function EmojiPickerDialog({ title, onPick, onClose }: { title: string; onPick(emoji: string): void; onClose(): void }) {
  return (
    <Modal title={title} onClose={onClose}>
      <Suspense fallback={<p className="emoji-picker__loading">Loading emoji…</p>}>
        <EmojiPicker onPick={onPick} />
      </Suspense>
    </Modal>
  );
}
