// emoji-picker-element (a web component, docs/ui.md "Emoji") with its data
// bundled: the JSON is a file of the build, fetched from the app's own
// origin (the CSP's 'self'; the web client's service worker keeps it for
// offline use) and kept by the picker in IndexedDB. Loaded lazily, through
// EmojiPickerDialog.
import { useEffect, useRef } from 'react';
import { Picker } from 'emoji-picker-element';
import type { EmojiClickEvent } from 'emoji-picker-element/shared';
import dataSource from 'emoji-picker-element-data/en/emojibase/data.json?url';
import './emoji.css';

/** The newest emoji version the bundled colour emoji font draws (Noto Color
 * Emoji, docs/ui.md "Emoji"). Setting it also spares the picker its
 * detection of what the system's fonts can draw, which headless and Linux
 * browsers without emoji fonts would answer with "almost nothing". */
const EMOJI_VERSION = 15.1;

export default function EmojiPicker({ onPick }: { onPick(emoji: string): void }) {
  const holder = useRef<HTMLDivElement>(null);
  // The latest onPick, without making a new picker when it changes.
  const pick = useRef(onPick);
  useEffect(() => {
    pick.current = onPick;
  }, [onPick]);

  useEffect(() => {
    const picker = new Picker({ dataSource, locale: 'en', emojiVersion: EMOJI_VERSION });
    // Light or dark as the app is: Settings' choice, else the system's (the picker's own default).
    const theme = document.documentElement.dataset.theme;
    if (theme === 'light' || theme === 'dark') picker.classList.add(theme);
    const onClick = (event: EmojiClickEvent) => {
      if (event.detail.unicode) pick.current(event.detail.unicode);
    };
    picker.addEventListener('emoji-click', onClick);
    holder.current?.append(picker);
    // The search field first, as in WhatsApp.
    requestAnimationFrame(() => picker.shadowRoot?.querySelector<HTMLElement>('input[type="search"]')?.focus());
    return () => {
      picker.removeEventListener('emoji-click', onClick);
      picker.remove();
    };
  }, []);

  return <div ref={holder} className="emoji-picker" />;
}
