// A message's file shown from memory: its bytes (the engine's device cache,
// or downloaded with the user's token: the page itself loads nothing from
// the relay) as a `blob:` URL, which the Content-Security-Policy allows for
// images and media only. The URL is revoked when the component goes.
import { useEffect, useState } from 'react';
import { useActions } from '../store/useChat.ts';

export interface FileUrl {
  url: string | null;
  error: string | null;
}

export function useFileUrl(fileId: string | undefined, mime: string): FileUrl {
  const actions = useActions();
  const [state, setState] = useState<FileUrl>({ url: null, error: null });
  useEffect(() => {
    if (!fileId) return;
    let url: string | null = null;
    let cancelled = false;
    actions.getFile(fileId).then(
      (bytes) => {
        if (cancelled) return;
        url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
        setState({ url, error: null });
      },
      (error: unknown) => {
        if (!cancelled) setState({ url: null, error: (error as Error).message });
      },
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [actions, fileId, mime]);
  return state;
}
