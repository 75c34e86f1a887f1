import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ChatMessage } from '../../../shared/api.ts';
import { IconButton } from '../common/IconButton.tsx';
import { Modal } from '../common/Modal.tsx';
import { EmojiPickerDialog } from '../emoji/EmojiPickerDialog.tsx';

/** The quick reactions, as WhatsApp offers them. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** How long after sending a message may be edited (docs/protocol.md,
 * "Decisions PROTOCOL.md leaves open"): the relay refuses later edits. */
const EDIT_WINDOW_MS = 48 * 3_600_000;

export interface MessageActionHandlers {
  onReply(message: ChatMessage): void;
  onReact(message: ChatMessage, emoji: string): void;
  onEdit(message: ChatMessage): void;
  onDeleteForEveryone(message: ChatMessage): void;
  onForward(message: ChatMessage): void;
}

/** Which actions apply to a message (docs/ui.md, "Message actions"). */
export function availableActions(message: ChatMessage, now = Date.now()) {
  const stored = message.seq !== null && !message.deleted;
  return {
    reply: stored,
    react: stored,
    edit: message.mine && !message.deleted && (message.seq === null || now - message.ts < EDIT_WINDOW_MS),
    deleteForEveryone: message.mine && !message.deleted && message.status !== 'failed',
    forward: stored,
    copy: !message.deleted && message.body !== '',
  };
}

/** What of the message's actions is open, if anything. */
export type ActionsPanel = 'menu' | 'reactions' | 'emoji-picker' | 'confirm-delete' | null;

/** The `Message actions` button and what it opens: a menu of the actions
 * that apply, the quick reactions (and `More reactions`, the full picker),
 * and the confirmation of a delete for everyone. The bubble owns `panel`, so that a right-click on the message
 * opens the same menu. */
export function MessageActions({
  message,
  handlers,
  panel,
  setPanel,
  myReaction,
}: {
  message: ChatMessage;
  handlers: MessageActionHandlers;
  panel: ActionsPanel;
  setPanel(panel: ActionsPanel): void;
  /** The user's own reaction to it, pressed among the quick ones. */
  myReaction: string | undefined;
}) {
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const can = availableActions(message);

  // Focus goes into what opens; a click elsewhere closes it.
  useEffect(() => {
    if (panel !== 'menu' && panel !== 'reactions') return;
    panelRef.current?.querySelector<HTMLElement>('[role="menuitem"], button')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!panelRef.current?.contains(event.target as Node) && event.target !== buttonRef.current) setPanel(null);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [panel, setPanel]);

  function close() {
    setPanel(null);
    buttonRef.current?.focus();
  }

  function choose(action: () => void) {
    setPanel(null);
    action();
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = [...(panelRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"], button') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (step !== undefined && items.length > 0) {
      event.preventDefault();
      items[(index + step + items.length) % items.length]!.focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      items.at(event.key === 'Home' ? 0 : -1)?.focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'Tab') {
      setPanel(null);
    }
  }

  const item = (label: string, action: () => void) => (
    <button type="button" role="menuitem" className="message-menu__item" tabIndex={-1} onClick={action}>
      {label}
    </button>
  );

  return (
    <>
      <IconButton
        ref={buttonRef}
        className="message__actions"
        label="Message actions"
        icon="expand-more"
        aria-haspopup="menu"
        aria-expanded={panel === 'menu'}
        onClick={() => setPanel(panel === 'menu' ? null : 'menu')}
      />
      {panel === 'menu' && (
        <div ref={panelRef} className="message-menu" role="menu" aria-label="Message actions" onKeyDown={onMenuKeyDown}>
          {can.reply && item('Reply', () => choose(() => handlers.onReply(message)))}
          {can.react && item('React', () => setPanel('reactions'))}
          {can.edit && item('Edit', () => choose(() => handlers.onEdit(message)))}
          {can.deleteForEveryone && item('Delete for everyone', () => setPanel('confirm-delete'))}
          {can.forward && item('Forward', () => choose(() => handlers.onForward(message)))}
          {can.copy && item('Copy', () => choose(() => void navigator.clipboard?.writeText(message.body)))}
        </div>
      )}
      {panel === 'reactions' && (
        <div ref={panelRef} className="message-menu message-menu--reactions" role="group" aria-label="Reactions" onKeyDown={onMenuKeyDown}>
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="message-menu__reaction"
              aria-label={`React with ${emoji}`}
              aria-pressed={myReaction === emoji}
              onClick={() => choose(() => handlers.onReact(message, emoji))}
            >
              {emoji}
            </button>
          ))}
          <IconButton className="message-menu__more" label="More reactions" icon="emoji" onClick={() => setPanel('emoji-picker')} />
        </div>
      )}
      {panel === 'emoji-picker' && (
        <EmojiPickerDialog title="Choose a reaction" onClose={close} onPick={(emoji) => choose(() => handlers.onReact(message, emoji))} />
      )}
      {panel === 'confirm-delete' && (
        <Modal title="Delete message?" onClose={close}>
          <p>It will be deleted for everyone in this chat. They will see “This message was deleted”.</p>
          <div className="confirm__actions">
            <button type="button" className="button" data-autofocus onClick={close}>
              Keep it
            </button>
            <button
              type="button"
              className="button confirm__delete"
              onClick={() => choose(() => handlers.onDeleteForEveryone(message))}
            >
              Delete for everyone
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
