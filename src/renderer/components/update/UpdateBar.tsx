import type { UpdateStatus } from '../../../shared/app-updates.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { IconButton } from '../common/IconButton.tsx';
import './update-bar.css';

const TOO_OLD = 'This version of Duplex is too old for your relay.';

/** What the bar says, or null when it has nothing to say. */
function headline(update: UpdateStatus, appliesBy: 'restart' | 'reload'): string | null {
  const named = update.version ? `Duplex ${update.version}` : 'A new version of Duplex';
  const prefix = update.required ? `${TOO_OLD} ` : '';
  switch (update.phase) {
    case 'idle':
      return null;
    case 'checking':
      return `${prefix}Checking for updates…`;
    case 'up-to-date':
      return update.message ?? 'Duplex is up to date.';
    case 'available':
      return `${prefix}${named} is available.`;
    case 'downloading':
      return `${prefix}Downloading ${named}…`;
    case 'ready':
      return appliesBy === 'restart' ? `${named} is ready to install.` : 'Duplex was updated: reload to use the new version.';
    case 'error':
      return `${prefix}Could not update: ${update.message ?? 'unknown error'}`;
  }
}

/** The app's own update: a non-blocking bar at the bottom of the window
 * (docs/ui.md, "The update bar"), in both shells. */
export function UpdateBar() {
  const update = useChat((state) => state.update);
  const dismissed = useChat((state) => state.updateDismissed);
  const appliesBy = useChat((state) => state.updatesApplyBy);
  const { downloadUpdate, applyUpdate, dismissUpdate } = useActions();
  if (update === null || appliesBy === null || dismissed) return null;
  const text = headline(update, appliesBy);
  if (text === null) return null;
  const { phase } = update;
  return (
    <section className={`update-bar update-bar--${phase}`} aria-label="App update">
      <p className="update-bar__text" role="status">
        {text}
      </p>
      {phase === 'downloading' && (
        <progress
          className="update-bar__progress"
          aria-label="Update download"
          max={100}
          value={update.percent ?? undefined}
        />
      )}
      {phase === 'available' && (
        <button type="button" className="button button--small button--primary" onClick={downloadUpdate}>
          Download update
        </button>
      )}
      {phase === 'ready' && (
        <button type="button" className="button button--small button--primary" onClick={applyUpdate}>
          {appliesBy === 'restart' ? 'Restart to update' : 'Reload'}
        </button>
      )}
      {/* An update the relay requires is not for later. */}
      {!(update.required && phase !== 'error' && phase !== 'up-to-date') && (
        <IconButton className="update-bar__dismiss" label="Dismiss update message" icon="close" onClick={dismissUpdate} />
      )}
    </section>
  );
}
