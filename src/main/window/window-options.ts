// The main window's construction options, above all its security settings:
// an isolated, sandboxed renderer without Node, whose only bridge is the
// CommonJS preload.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { WindowPlacement } from './window-state.ts';

export const MIN_WINDOW_SIZE = { width: 480, height: 400 } as const;

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // Dropping a file on the window must not navigate to it.
    navigateOnDragDrop: false,
  };
}

export function mainWindowOptions(options: {
  preloadPath: string;
  placement: WindowPlacement;
}): BrowserWindowConstructorOptions {
  const { x, y, width, height } = options.placement;
  return {
    ...(x === undefined || y === undefined ? {} : { x, y }),
    width,
    height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Duplex',
    // Shown on 'ready-to-show', so that it never flashes an empty frame.
    show: false,
    webPreferences: secureWebPreferences(options.preloadPath),
  };
}
