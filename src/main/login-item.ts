// Start at login. macOS and Windows have an API for it in Electron; Linux
// does not, and there the freedesktop way is a .desktop file in the
// autostart folder, which every common desktop environment honours.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'electron';
import type { DesktopPlatform } from '../shared/desktop-api.ts';

export const AUTOSTART_FILE_NAME = 'duplex.desktop';

export interface LoginItemTarget {
  platform: DesktopPlatform;
  app: Pick<App, 'setLoginItemSettings'>;
  /** The command that starts this app: the executable, then its arguments. */
  launchCommand: readonly [string, ...string[]];
  /** Linux: $XDG_CONFIG_HOME/autostart (by default ~/.config/autostart). */
  autostartDir: string;
}

/** One argument of a desktop entry's Exec key, quoted as the freedesktop
 * Desktop Entry Specification requires. */
function execArgument(argument: string): string {
  return `"${argument.replace(/["`$\\]/g, '\\$&').replaceAll('%', '%%')}"`;
}

export function autostartEntry(launchCommand: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Duplex',
    `Exec=${launchCommand.map(execArgument).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function setStartAtLogin(enabled: boolean, target: LoginItemTarget): void {
  const [executable, ...args] = target.launchCommand;
  if (target.platform !== 'linux') {
    // `path` and `args` matter on Windows, where an unpackaged app is the
    // Electron executable plus the app's folder; macOS ignores them.
    target.app.setLoginItemSettings({ openAtLogin: enabled, path: executable, args });
    return;
  }
  const file = join(target.autostartDir, AUTOSTART_FILE_NAME);
  if (enabled) {
    mkdirSync(target.autostartDir, { recursive: true });
    writeFileSync(file, autostartEntry(target.launchCommand));
  } else {
    rmSync(file, { force: true });
  }
}
