import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { IconName } from './Icon.tsx';
import { IconButton } from './IconButton.tsx';

export interface MenuItem {
  label: string;
  onSelect(): void;
}

interface MenuButtonProps {
  /** The button's accessible name; the menu is labelled with it too. */
  label: string;
  icon: IconName;
  items: readonly MenuItem[];
  className?: string;
  tabIndex?: number;
}

/** A button that opens a menu (WAI-ARIA menu button pattern): opens with the
 * first item focused; arrows, Home and End move; Esc closes and returns
 * focus to the button; a click elsewhere or Tab closes it. Keys the menu
 * handles stop there, so that a list around it does not move as well. */
export function MenuButton({ label, icon, items, className, tabIndex }: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

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
  function choose(item: MenuItem) {
    setOpen(false);
    buttonRef.current?.focus();
    item.onSelect();
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Tab') {
      setOpen(false);
      return;
    }
    const menuItems = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const current = menuItems.indexOf(document.activeElement as HTMLElement);
    const next = { ArrowDown: current + 1, ArrowUp: current - 1 + menuItems.length, Home: 0, End: menuItems.length - 1 }[
      event.key
    ];
    if (next !== undefined) {
      menuItems[next % menuItems.length]?.focus();
    } else if (event.key === 'Escape') {
      setOpen(false);
      buttonRef.current?.focus();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <div className={className ? `menu-button ${className}` : 'menu-button'}>
      <IconButton
        ref={buttonRef}
        label={label}
        icon={icon}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        tabIndex={tabIndex}
        onClick={() => setOpen((wasOpen) => !wasOpen)}
      />
      {open && (
        <div className="menu-button__popup" id={menuId} role="menu" aria-label={label} ref={menuRef} onKeyDown={onMenuKeyDown}>
          {items.map((item) => (
            <button key={item.label} type="button" role="menuitem" tabIndex={-1} onClick={() => choose(item)}>
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
