import { formatDuration } from '../../../files/formatFile.ts';
import { useNow } from '../../../hooks/useNow.ts';
import { IconButton } from '../../common/IconButton.tsx';

/** In the composer's place while a voice note is recorded: the time so far,
 * `Cancel recording`, and `Stop recording` (which sends it). */
export function RecordingBar({ startedAt, onStop, onCancel }: { startedAt: number; onStop(): void; onCancel(): void }) {
  const now = useNow();
  return (
    <div className="composer__form recorder">
      <IconButton label="Cancel recording" icon="close" onClick={onCancel} />
      <span className="recorder__dot" aria-hidden="true" />
      <span className="recorder__time" role="timer" aria-label="Recording time">
        {formatDuration(Math.max(0, now - startedAt))}
      </span>
      <IconButton label="Stop recording" icon="stop" className="composer__send" onClick={onStop} />
    </div>
  );
}
