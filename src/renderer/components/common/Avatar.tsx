import { useEffect, type CSSProperties } from 'react';
import { avatarHue, initialsOf } from '../../format/names.ts';
import { useActions, useChat } from '../../store/useChat.ts';

/** The photo (a file id) when there is one and it loads, as an img inside
 * the avatar; otherwise initials on a colour of the person's (or group's)
 * own. Decorative: the name is always written next to it, so it is hidden
 * from assistive tech and never changes the accessible name of the control
 * it sits in. */
export function Avatar({
  id,
  name,
  photo,
  size = 'medium',
}: {
  id: string;
  name: string;
  photo?: string | null | undefined;
  size?: 'small' | 'medium' | 'large';
}) {
  const url = usePhotoUrl(photo);
  const style = { '--avatar-hue': avatarHue(id) } as CSSProperties;
  return (
    <span className={`avatar avatar--${size}`} style={style} aria-hidden="true">
      {url ? <img className="avatar__photo" src={url} alt="" /> : initialsOf(name)}
    </span>
  );
}

/** The photo as a data: URL once loaded (the store loads each one once). */
function usePhotoUrl(fileId: string | null | undefined): string | null {
  const { loadPhoto } = useActions();
  const url = useChat((state) => (fileId ? state.photos.get(fileId) : undefined));
  useEffect(() => {
    if (fileId && url === undefined) loadPhoto(fileId);
  }, [fileId, url, loadPhoto]);
  return url ?? null;
}
