// The bridge between the sandboxed UI and the main process: exposes
// `window.duplex` (DuplexApi) and `window.duplexDesktop` (DesktopApi), each
// request an ipcRenderer.invoke and each event stream an ipcRenderer
// listener. Nothing else: no Node, no ipcRenderer itself, no IPC event
// objects reach the page. The main process validates every call.
//
// This file may import only `electron` and types from src/shared (lint
// enforced), and it is built as CommonJS because sandboxed preloads cannot
// load ES modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DuplexApi, DuplexEvent, Unsubscribe } from '../shared/api.ts';
import type {
  DesktopApi,
  DesktopEvent,
  DesktopEventChannel,
  DesktopInvokeChannel,
  DuplexEventChannel,
  DuplexInvokeChannel,
  InvokeMethod,
} from '../shared/desktop-api.ts';

type Requests<Api> = Pick<Api, InvokeMethod<Api>>;

// Every request method of each API, listed once: `satisfies` makes a method
// added to (or removed from) the type without a change here a compile error.
const duplexMethods = {
  getAccount: true,
  signIn: true,
  register: true,
  signOut: true,
  changePassword: true,
  deleteAccount: true,
  downloadMyData: true,
  getStatus: true,
  retryNow: true,
  listConversations: true,
  getMessages: true,
  loadOlder: true,
  createDirect: true,
  createGroup: true,
  addMembers: true,
  leave: true,
  rename: true,
  searchUsers: true,
  getPresence: true,
  setChatState: true,
  searchMessages: true,
  send: true,
  sendFile: true,
  getFile: true,
  retry: true,
  deleteUnsent: true,
  edit: true,
  deleteForEveryone: true,
  react: true,
  forward: true,
  markRead: true,
  setTyping: true,
  setDraft: true,
  getPrivacy: true,
  setGroupAdds: true,
  block: true,
  unblock: true,
  updateProfile: true,
  setProfilePhoto: true,
  setGroupPhoto: true,
  getPhoto: true,
  listDevices: true,
  signOutDevice: true,
  signOutOtherDevices: true,
} as const satisfies Record<InvokeMethod<DuplexApi>, true>;

const desktopMethods = {
  getInfo: true,
  getSettings: true,
  updateSettings: true,
  setOpenConversation: true,
  getUpdateStatus: true,
  checkForUpdates: true,
  downloadUpdate: true,
  restartToUpdate: true,
  saveFile: true,
  saveMyData: true,
} as const satisfies Record<InvokeMethod<DesktopApi>, true>;

function requestsOver<Api>(
  methods: Record<InvokeMethod<Api>, true>,
  channelOf: (method: InvokeMethod<Api>) => string,
): Requests<Api> {
  const names = Object.keys(methods) as Array<InvokeMethod<Api>>;
  return Object.fromEntries(
    names.map((method) => [method, (...args: unknown[]) => ipcRenderer.invoke(channelOf(method), ...args)]),
  ) as Requests<Api>;
}

function subscriptionTo<E>(channel: string): (listener: (event: E) => void) => Unsubscribe {
  return (listener) => {
    // The IPC event (which holds `sender`, i.e. ipcRenderer) stays here.
    const forward = (_ipcEvent: IpcRendererEvent, event: E): void => listener(event);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  };
}

const duplexEvents: DuplexEventChannel = 'duplex:event';
const desktopEvents: DesktopEventChannel = 'duplex-desktop:event';

const duplex: DuplexApi = {
  ...requestsOver<DuplexApi>(duplexMethods, (method): DuplexInvokeChannel => `duplex:${method}`),
  onEvent: subscriptionTo<DuplexEvent>(duplexEvents),
};

const duplexDesktop: DesktopApi = {
  ...requestsOver<DesktopApi>(desktopMethods, (method): DesktopInvokeChannel => `duplex-desktop:${method}`),
  onEvent: subscriptionTo<DesktopEvent>(desktopEvents),
};

contextBridge.exposeInMainWorld('duplex', duplex);
contextBridge.exposeInMainWorld('duplexDesktop', duplexDesktop);
