// Only the app's own page, in the window's top frame, may call the main
// process: not a subframe, not a page the window was somehow navigated to.
// Electron gives a null frame when the sender has navigated away or gone.
import type { WebFrameMain } from 'electron';

export function isTrustedSender(
  frame: Pick<WebFrameMain, 'url' | 'parent'> | null,
  isAppUrl: (url: string) => boolean,
): boolean {
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}
