import { useState } from 'react';
import type { ChatFile } from '../../../../shared/api.ts';
import { useActions } from '../../../store/useChat.ts';
import { Icon } from '../../common/Icon.tsx';

/** Saves a file: the desktop app through its native save dialog, the web
 * client as a browser download of the bytes in memory. */
export function DownloadButton({ file, label, iconOnly = false }: { file: ChatFile; label: string; iconOnly?: boolean }) {
  const actions = useActions();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="file__download"
        aria-label={iconOnly ? label : undefined}
        title={label}
        onClick={() => {
          setError(null);
          actions.saveFile(file).catch((failure: unknown) => setError((failure as Error).message));
        }}
      >
        <Icon name="download" />
        {!iconOnly && <span>{label}</span>}
      </button>
      {error && (
        <span role="alert" className="file__error">
          {error}
        </span>
      )}
    </>
  );
}
