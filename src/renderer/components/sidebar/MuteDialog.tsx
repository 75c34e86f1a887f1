import { useState } from 'react';
import { MUTE_CHOICES, type MuteChoice, muteUntil } from '../../format/mute.ts';
import { useActions } from '../../store/useChat.ts';
import { Modal } from '../common/Modal.tsx';
import { RadioGroup } from '../common/RadioGroup.tsx';

/** How long to mute a chat: 8 hours, 1 week or always, as WhatsApp offers. */
export function MuteDialog({ conv, title, onClose }: { conv: string; title: string; onClose: () => void }) {
  const [choice, setChoice] = useState<MuteChoice>('8h');
  const [error, setError] = useState<string | null>(null);
  const { setChatState } = useActions();

  function mute() {
    setChatState(conv, { mutedUntil: muteUntil(choice, Date.now()) }).then(onClose, (reason: unknown) =>
      setError(reason instanceof Error ? reason.message : String(reason)),
    );
  }

  return (
    <Modal title={`Mute ${title}`} onClose={onClose}>
      <RadioGroup
        legend="Mute notifications for"
        name="mute-for"
        choices={MUTE_CHOICES}
        value={choice}
        onChange={setChoice}
        autoFocusChecked
      />
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
      <button type="button" className="button button--primary" onClick={mute}>
        Mute
      </button>
    </Modal>
  );
}
