// Files in the renderer's store: sending a prepared file (as a reply when one
// is chosen, like a text), reading a file's bytes, and saving a file (the
// desktop app's main process shows its native save dialog and writes the
// file; the web client downloads the bytes it holds). How far uploads got
// arrives as `upload-progress` events (applyEvent.ts, `uploads`); an entry is
// dropped once the message carries its file id. A slice: chatStore.ts
// composes it with the rest.
import type { StoreApi } from 'zustand/vanilla';
import type { DuplexApi } from '../../shared/api.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';
import { downloadBytes } from '../files/downloadBytes.ts';
import type { ChatActions, ChatState } from './chatState.ts';

export interface FilesSlice {
  actions: Pick<ChatActions, 'sendFile' | 'getFile' | 'saveFile'>;
}

export function filesSlice(
  api: DuplexApi,
  desktop: DesktopApi | null,
  get: StoreApi<ChatState>['getState'],
  set: StoreApi<ChatState>['setState'],
): FilesSlice {
  return {
    actions: {
      async sendFile(conv, draft) {
        const replyTarget = get().replyTarget;
        set({ replyTarget: null });
        try {
          await api.sendFile(conv, replyTarget?.seq ? { ...draft, replyTo: replyTarget.seq } : draft);
        } catch (error) {
          set({ replyTarget });
          throw error;
        }
      },

      getFile(fileId) {
        return api.getFile(fileId);
      },

      async saveFile(file) {
        if (file.id === undefined) return;
        if (desktop) {
          await desktop.saveFile(file.id, file.name);
          return;
        }
        downloadBytes(await api.getFile(file.id), file.name, file.mime);
      },
    },
  };
}
