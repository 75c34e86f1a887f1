import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useActions } from '../../store/useChat.ts';
import { IconButton } from '../common/IconButton.tsx';

/** The signed-in user's menu (WAI-ARIA menu button pattern): opens with the
 * first item focused; arrows, Home and End move; Esc closes and returns
 * focus to the button; a click elsewhere or Tab closes it. */
export function UserMenu() {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const { openDialog, signOut } = useActions();

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    function onPointerDown(event: PointerEvent) {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  /** Focus goes back to the menu button first, so that a dialog opened from
   * the menu returns focus there when it closes. */
  function choose(action: () => void) {
    setOpen(false);
    buttonRef.current?.focus();
    action();
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Tab') {
      setOpen(false);
      return;
    }
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const current = items.indexOf(document.activeElement as HTMLElement);
    const next = { ArrowDown: current + 1, ArrowUp: current - 1 + items.length, Home: 0, End: items.length - 1 }[event.key];
    if (next !== undefined) {
      items[next % items.length]?.focus();
    } else if (event.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    } else {
      return;
    }
    event.preventDefault();
  }

  return (
    <div className="user-menu">
      <IconButton
        ref={buttonRef}
        label="Menu"
        icon="more-vert"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((wasOpen) => !wasOpen)}
      />
      {open && (
        <div className="user-menu__popup" id={menuId} role="menu" aria-label="Menu" ref={menuRef} onKeyDown={onMenuKeyDown}>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(() => openDialog('settings'))}>
            Settings
          </button>
          <button type="button" role="menuitem" tabIndex={-1} onClick={() => choose(signOut)}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
