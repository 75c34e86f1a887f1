// The app-wide keyboard shortcuts, in one place: the key handler matches
// them, buttons show them in tooltips and Settings lists them. Keys are
// matched by `code` so that they work whatever the layout and Alt do.
const primary = /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘' : 'Ctrl';

interface Shortcut {
  keys: string;
  description: string;
  matches(event: KeyboardEvent): boolean;
}

function only(event: KeyboardEvent, modifiers: { primary?: boolean; ctrl?: boolean; alt?: boolean; shift?: boolean }): boolean {
  const primaryDown = event.ctrlKey || event.metaKey;
  return (
    (modifiers.primary ? primaryDown : modifiers.ctrl ? event.ctrlKey && !event.metaKey : !primaryDown) &&
    event.altKey === Boolean(modifiers.alt) &&
    event.shiftKey === Boolean(modifiers.shift)
  );
}

export const shortcuts = {
  filterChats: {
    keys: `${primary}+K`,
    description: 'Search chats and messages',
    matches: (e) => e.code === 'KeyK' && only(e, { primary: true }),
  },
  nextChat: {
    keys: 'Alt+↓',
    description: 'Next chat',
    matches: (e) => e.code === 'ArrowDown' && only(e, { alt: true }),
  },
  previousChat: {
    keys: 'Alt+↑',
    description: 'Previous chat',
    matches: (e) => e.code === 'ArrowUp' && only(e, { alt: true }),
  },
  newChat: {
    keys: 'Ctrl+Alt+N',
    description: 'New chat',
    matches: (e) => e.code === 'KeyN' && only(e, { ctrl: true, alt: true }),
  },
  newGroup: {
    keys: 'Ctrl+Alt+Shift+N',
    description: 'New group',
    matches: (e) => e.code === 'KeyN' && only(e, { ctrl: true, alt: true, shift: true }),
  },
} satisfies Record<string, Shortcut>;

/** Keys that work where the focus is, listed in Settings with the above. */
export const localKeys: ReadonlyArray<{ keys: string; description: string }> = [
  { keys: 'Enter', description: 'Send the message' },
  { keys: 'Shift+Enter', description: 'New line in the message' },
  { keys: '↑ ↓ Home End', description: 'Move through the chat list' },
  { keys: 'Esc', description: 'Close a dialog or menu, cancel a reply' },
];
