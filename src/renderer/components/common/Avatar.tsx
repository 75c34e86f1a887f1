import type { CSSProperties } from 'react';
import { avatarHue, initialsOf } from '../../format/names.ts';

/** Initials on a colour of the person's (or group's) own. Decorative: the
 * name is always written next to it, so it is hidden from assistive tech
 * and never changes the accessible name of the control it sits in. */
export function Avatar({ id, name, size = 'medium' }: { id: string; name: string; size?: 'small' | 'medium' | 'large' }) {
  const style = { '--avatar-hue': avatarHue(id) } as CSSProperties;
  return (
    <span className={`avatar avatar--${size}`} style={style} aria-hidden="true">
      {initialsOf(name)}
    </span>
  );
}
