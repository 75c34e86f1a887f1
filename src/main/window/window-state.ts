// Remembers the window's size, position and maximized state, and puts it
// back on start-up only where it is still visible: a monitor may have been
// unplugged since.
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** Position (absent: centred by the OS), size and maximized state for a new window. */
export interface WindowPlacement {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 750 } as const;
/** How much of a saved window must lie on a display for it to be restored there. */
const MIN_VISIBLE_PX = 64;
const SAVE_DELAY_MS = 500;

function overlaps(a: Rectangle, b: Rectangle): boolean {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width >= MIN_VISIBLE_PX && height >= MIN_VISIBLE_PX;
}

/** `workAreas` are the displays' work areas, the primary display's first. */
export function placementFor(saved: WindowState | null, workAreas: readonly Rectangle[]): WindowPlacement {
  const size = saved ?? DEFAULT_WINDOW_SIZE;
  const home = saved === null ? undefined : workAreas.find((area) => overlaps(saved, area));
  const fitTo = home ?? workAreas[0];
  const width = fitTo === undefined ? size.width : Math.min(size.width, fitTo.width);
  const height = fitTo === undefined ? size.height : Math.min(size.height, fitTo.height);
  const maximized = saved?.maximized ?? false;
  return saved !== null && home !== undefined
    ? { x: saved.x, y: saved.y, width, height, maximized }
    : { width, height, maximized };
}

type TrackedWindow = Pick<BrowserWindow, 'on' | 'getNormalBounds' | 'isMaximized'>;

/** Calls `save` shortly after the window stops moving or resizing, and at
 * once when it closes. */
export function trackWindowState(window: TrackedWindow, save: (state: WindowState) => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const saveNow = (): void => {
    clearTimeout(timer);
    // The normal bounds, so that a maximized window restores to its
    // previous size when un-maximized after a restart.
    const { x, y, width, height } = window.getNormalBounds();
    save({ x, y, width, height, maximized: window.isMaximized() });
  };
  const saveSoon = (): void => {
    clearTimeout(timer);
    timer = setTimeout(saveNow, SAVE_DELAY_MS);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', saveNow);
}
