// A test double of the `electron` module. The Electron binary cannot be
// downloaded on these machines and importing the real module in plain Node
// throws, so the main-process suites replace it with this one
// (`vi.mock('electron', () => import('./electron-double/electron.ts'))`) and
// the bundle smoke test maps `electron` to it with a resolve hook.
//
// It records what the app asks of Electron (`calls`, and each fake's own
// fields) and lets a test play the OS's part (emit window, tray, notification
// and power events). It runs under Node's type stripping too, so it uses
// erasable TypeScript only. Test code, never shipped.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Call {
  api: string;
  args: unknown[];
}

/** Starts each call's line when register.ts prints them from a child process. */
export const CALL_LINE_PREFIX = 'electron-double ';

/** Every recorded call, in order. */
export const calls: Call[] = [];
const callListeners = new Set<(call: Call) => void>();

export function onCall(listener: (call: Call) => void): void {
  callListeners.add(listener);
}

function record(api: string, ...args: unknown[]): void {
  const call = { api, args };
  calls.push(call);
  for (const listener of callListeners) listener(call);
}

/** What the fake OS answers; tests change it before the code under test asks. */
export const environment = {
  singleInstanceLock: true,
  version: '1.2.3',
  encryptionAvailable: true,
  storageBackend: 'gnome_libsecret' as string,
  online: true,
  notificationsSupported: true,
  displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

/** An Electron event: preventDefault() sets defaultPrevented. */
export function fakeEvent<T extends object>(fields?: T): T & { defaultPrevented: boolean; preventDefault(): void } {
  const event = {
    ...(fields as T),
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

// ---- app ----

class FakeApp extends EventEmitter {
  isPackaged = false;
  readonly paths = new Map<string, string>();

  whenReady(): Promise<void> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.emit('ready');
        resolve();
      }),
    );
  }

  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return environment.singleInstanceLock;
  }

  /** As Electron quits: 'before-quit', the windows close (any may refuse,
   * which cancels quitting), 'will-quit' (which may be prevented), 'quit'.
   * The process does not end; the smoke test's register hook does that. */
  quit(): void {
    record('app.quit');
    const beforeQuit = fakeEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    for (const window of BrowserWindow.instances) window.close();
    if (BrowserWindow.instances.some((window) => !window.isDestroyed())) return;
    const willQuit = fakeEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    this.emit('quit', fakeEvent(), 0);
  }

  exit(code?: number): void {
    record('app.exit', code);
  }

  getPath(name: string): string {
    let path = this.paths.get(name);
    if (path === undefined) {
      path = mkdtempSync(join(tmpdir(), `electron-double-${name}-`));
      this.paths.set(name, path);
    }
    return path;
  }

  setPath(name: string, path: string): void {
    record('app.setPath', name, path);
    this.paths.set(name, path);
  }

  getAppPath(): string {
    return process.cwd();
  }

  getVersion(): string {
    return environment.version;
  }

  getName(): string {
    return 'Duplex';
  }

  setAboutPanelOptions(options: unknown): void {
    record('app.setAboutPanelOptions', options);
  }

  setAppUserModelId(id: string): void {
    record('app.setAppUserModelId', id);
  }

  setBadgeCount(count?: number): boolean {
    record('app.setBadgeCount', count);
    return true;
  }

  setLoginItemSettings(settings: unknown): void {
    record('app.setLoginItemSettings', settings);
  }
}

export const app = new FakeApp();

// ---- windows ----

interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

class FakeWebFrame {
  url = '';
  parent: FakeWebFrame | null = null;
}

class FakeWebContents extends EventEmitter {
  readonly mainFrame = new FakeWebFrame();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  getURL(): string {
    return this.mainFrame.url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];

  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  bounds: Rectangle;
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  fullScreen = false;
  destroyed = false;
  overlay: { image: unknown; description: string } | null = null;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    this.bounds = {
      x: (options.x as number | undefined) ?? 100,
      y: (options.y as number | undefined) ?? 100,
      width: (options.width as number | undefined) ?? 800,
      height: (options.height as number | undefined) ?? 600,
    };
    BrowserWindow.instances.push(this);
    record('new BrowserWindow', options);
  }

  loadURL(url: string): Promise<void> {
    record('BrowserWindow.loadURL', url);
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }

  show(): void {
    this.visible = true;
    this.minimized = false;
  }

  hide(): void {
    this.visible = false;
    this.focused = false;
  }

  focus(): void {
    this.focused = true;
    record('BrowserWindow.focus');
  }

  isFocused(): boolean {
    return this.focused;
  }

  isVisible(): boolean {
    return this.visible;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.minimized = false;
  }

  maximize(): void {
    this.maximized = true;
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }

  isFullScreen(): boolean {
    return this.fullScreen;
  }

  setFullScreen(fullScreen: boolean): void {
    this.fullScreen = fullScreen;
    this.emit(fullScreen ? 'enter-full-screen' : 'leave-full-screen');
  }

  setOverlayIcon(image: unknown, description: string): void {
    this.overlay = image === null ? null : { image, description };
  }

  flashFrame(flag: boolean): void {
    record('BrowserWindow.flashFrame', flag);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** As the OS's close button does: 'close' may be prevented. */
  close(): void {
    if (this.destroyed) return;
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

export const screen = {
  getAllDisplays: () => environment.displays,
  getPrimaryDisplay: () => environment.displays[0],
};

// ---- tray, menus, images ----

export class NativeImage {
  readonly representations: Array<{ scaleFactor: number; buffer: Buffer }> = [];

  addRepresentation(options: { scaleFactor: number; buffer: Buffer }): void {
    this.representations.push(options);
  }
}

export const nativeImage = {
  createEmpty: () => new NativeImage(),
};

export class Menu {
  static applicationMenu: Menu | null = null;

  template: Array<Record<string, unknown>> = [];

  static buildFromTemplate(template: Array<Record<string, unknown>>): Menu {
    const menu = new Menu();
    menu.template = template;
    return menu;
  }

  static setApplicationMenu(menu: Menu | null): void {
    record('Menu.setApplicationMenu', menu);
    Menu.applicationMenu = menu;
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];

  image: unknown;
  tooltip = '';
  contextMenu: Menu | null = null;

  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.instances.push(this);
    record('new Tray');
  }

  setImage(image: unknown): void {
    this.image = image;
  }

  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }

  setContextMenu(menu: Menu | null): void {
    this.contextMenu = menu;
    record('Tray.setContextMenu');
  }
}

// ---- notifications ----

export class Notification extends EventEmitter {
  static instances: Notification[] = [];

  static isSupported(): boolean {
    return environment.notificationsSupported;
  }

  readonly options: Record<string, unknown>;
  shown = false;
  closed = false;

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    Notification.instances.push(this);
  }

  show(): void {
    this.shown = true;
    record('Notification.show', this.options);
  }

  close(): void {
    this.closed = true;
    this.emit('close', fakeEvent());
  }
}

// ---- IPC ----

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    record('ipcMain.handle', channel);
    this.handlers.set(channel, handler);
  }

  /** As a renderer's ipcRenderer.invoke arrives: `event` carries senderFrame. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

export const ipcMain = new FakeIpcMain();

class FakeIpcRenderer extends EventEmitter {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    record('ipcRenderer.invoke', channel, ...args);
    return Promise.resolve({ channel, args });
  }
}

export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    record('contextBridge.exposeInMainWorld', key, Object.keys(api as object));
    contextBridge.exposed.set(key, api);
  },
};

// ---- protocol, session, network, OS services ----

export const protocol = {
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    record('protocol.registerSchemesAsPrivileged', schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    record('protocol.handle', scheme);
    protocol.handlers.set(scheme, handler);
  },
};

type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

export const session = {
  defaultSession: {
    headersListener: null as HeadersListener | null,
    permissionRequestHandler: null as ((...args: unknown[]) => void) | null,
    permissionCheckHandler: null as ((...args: unknown[]) => boolean) | null,
    webRequest: {
      onHeadersReceived(listener: HeadersListener): void {
        session.defaultSession.headersListener = listener;
      },
    },
    setPermissionRequestHandler(handler: (...args: unknown[]) => void): void {
      session.defaultSession.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
      session.defaultSession.permissionCheckHandler = handler;
    },
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => environment.encryptionAvailable,
  getSelectedStorageBackend: () => environment.storageBackend,
  encryptString: (text: string) => Buffer.from(`encrypted:${text}`),
  decryptString(buffer: Buffer): string {
    const text = buffer.toString();
    if (!text.startsWith('encrypted:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return text.slice('encrypted:'.length);
  },
};

export const powerMonitor = new EventEmitter();

export const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false });

export const net = {
  get online(): boolean {
    return environment.online;
  },
  fetch: (input: string | URL | Request, init?: RequestInit) => {
    record('net.fetch', String(input instanceof Request ? input.url : input));
    return globalThis.fetch(input, init);
  },
  WebSocket: globalThis.WebSocket,
};

export const shell = {
  openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
    return Promise.resolve();
  },
};

/** The native save dialog: recorded, and answered as cancelled (the save
 * path is tested with its own stand-in in save-file.test.ts). */
export const dialog = {
  showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> {
    record('dialog.showSaveDialog', ...args.slice(-1));
    return Promise.resolve({ canceled: true });
  },
};

/** Back to a fresh double, for `beforeEach`. */
export function resetElectronDouble(): void {
  calls.length = 0;
  callListeners.clear();
  Object.assign(environment, {
    singleInstanceLock: true,
    encryptionAvailable: true,
    storageBackend: 'gnome_libsecret',
    online: true,
    notificationsSupported: true,
    displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
  });
  app.removeAllListeners();
  app.isPackaged = false;
  app.paths.clear();
  BrowserWindow.instances = [];
  Tray.instances = [];
  Notification.instances = [];
  Menu.applicationMenu = null;
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  contextBridge.exposed.clear();
  protocol.handlers.clear();
  Object.assign(session.defaultSession, {
    headersListener: null,
    permissionRequestHandler: null,
    permissionCheckHandler: null,
  });
  powerMonitor.removeAllListeners();
  nativeTheme.removeAllListeners();
  nativeTheme.shouldUseDarkColors = false;
}
