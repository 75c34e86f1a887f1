// Whether the desktop shows tray icons. Windows and macOS always do. On
// Linux, icons appear through the StatusNotifierItem protocol, which stock
// GNOME Shell does not display without an extension (Ubuntu's GNOME ships
// one enabled); KDE, Xfce, Cinnamon, MATE, LXQt, Budgie and the others show
// them. There is no API to ask, so the desktop's name decides.
import type { DesktopPlatform } from '../../shared/desktop-api.ts';

export function trayIsShown(platform: DesktopPlatform, currentDesktop: string | undefined): boolean {
  if (platform !== 'linux') return true;
  const desktops = (currentDesktop ?? '')
    .split(':')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (desktops.length === 0) return false;
  return !desktops.includes('gnome') || desktops.includes('ubuntu');
}
