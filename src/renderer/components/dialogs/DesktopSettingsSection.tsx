import type { DesktopInfo } from '../../../shared/desktop-api.ts';
import { useNow } from '../../hooks/useNow.ts';
import { background } from '../../store/chatState.ts';
import { isMutedAt } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';

/** What to tell the user about where the session token is kept. */
function tokenStorageWarning(info: DesktopInfo): string | null {
  switch (info.tokenStorage) {
    case 'encrypted':
      return null;
    case 'plain_text':
      return 'This system has no keyring, so your session is saved unencrypted: anyone who can read your files can use it.';
    case 'memory_only':
      return 'Your session cannot be saved on this system: you will sign in again each time Duplex starts.';
  }
}

/** The desktop app's own settings (window.duplexDesktop); absent on the web. */
export function DesktopSettingsSection() {
  const info = useChat((state) => state.desktopInfo);
  const settings = useChat((state) => state.desktopSettings);
  const conversations = useChat((state) => state.conversations);
  const { updateDesktopSettings, setChatState } = useActions();
  const now = useNow();
  if (!info || !settings) return null;

  const choices = [
    {
      label: 'Show notifications for new messages',
      checked: !settings.notificationsMuted,
      change: (on: boolean) => updateDesktopSettings({ notificationsMuted: !on }),
    },
    {
      label: 'Hide message text in notifications',
      checked: settings.hideMessageText,
      change: (on: boolean) => updateDesktopSettings({ hideMessageText: on }),
    },
    // Closing to the background needs somewhere to come back from.
    ...(info.trayAvailable || info.platform === 'darwin'
      ? [
          {
            label: info.platform === 'darwin' ? 'Keep running when the window is closed' : 'Keep running in the tray when the window is closed',
            checked: settings.closeToTray,
            change: (on: boolean) => updateDesktopSettings({ closeToTray: on }),
          },
        ]
      : []),
    {
      label: 'Start Duplex when you log in',
      checked: settings.startAtLogin,
      change: (on: boolean) => updateDesktopSettings({ startAtLogin: on }),
    },
    {
      label: 'Download updates automatically',
      checked: settings.autoDownloadUpdates,
      change: (on: boolean) => updateDesktopSettings({ autoDownloadUpdates: on }),
    },
  ];
  // Muted on any of the user's devices (chat state), for notifications here.
  const muted = [...conversations.values()].filter((conversation) => isMutedAt(conversation, now));
  const warning = tokenStorageWarning(info);
  return (
    <fieldset className="settings__section">
      <legend className="settings__heading">Desktop</legend>
      {choices.map(({ label, checked, change }) => (
        <label key={label} className="settings__choice">
          <input type="checkbox" checked={checked} onChange={(event) => change(event.target.checked)} />
          {label}
        </label>
      ))}
      {muted.length > 0 && (
        <ul className="settings__muted-list" aria-label="Muted chats">
          {muted.map((conversation) => (
            <li key={conversation.id}>
              {conversation.title}
              <button
                type="button"
                className="link-button"
                aria-label={`Unmute ${conversation.title}`}
                onClick={() => background(setChatState(conversation.id, { mutedUntil: null }))}
              >
                Unmute
              </button>
            </li>
          ))}
        </ul>
      )}
      {warning && <p className="settings__warning">{warning}</p>}
    </fieldset>
  );
}
