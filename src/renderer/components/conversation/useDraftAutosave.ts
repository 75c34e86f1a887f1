import { useEffect, useRef } from 'react';
import { useActions } from '../../store/useChat.ts';

/** Typing pauses this long before the draft is saved. */
const DRAFT_SAVE_DELAY_MS = 400;

/** Keeps the conversation's draft saved (the engine stores it, so it
 * survives restarts): shortly after typing pauses, and at once when the
 * conversation is left or the page goes away. */
export function useDraftAutosave(conv: string, text: string): void {
  const { saveDraft } = useActions();
  const latest = useRef(text);

  useEffect(() => {
    latest.current = text;
    const timer = setTimeout(() => saveDraft(conv, text), DRAFT_SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [conv, text, saveDraft]);

  useEffect(() => {
    const saveNow = () => saveDraft(conv, latest.current);
    window.addEventListener('pagehide', saveNow);
    return () => {
      window.removeEventListener('pagehide', saveNow);
      saveNow();
    };
  }, [conv, saveDraft]);
}
