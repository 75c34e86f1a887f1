import { useActions, useChat } from '../../store/useChat.ts';

/** The web client's notifications (window.duplexWeb); absent in the desktop
 * app, whose own section has them. Permission is asked only from here. */
export function WebNotificationsSection() {
  const state = useChat((s) => s.webNotifications);
  const { enableWebNotifications, updateWebNotifications } = useActions();
  if (!state) return null;
  const { permission, settings } = state;
  const on = permission === 'granted' && settings.enabled;
  return (
    <fieldset className="settings__section">
      <legend className="settings__heading">Notifications</legend>
      {permission === 'unsupported' && <p className="settings__muted">This browser cannot show notifications.</p>}
      {permission === 'denied' && (
        <p className="settings__warning">Notifications are blocked for this site. Allow them in the browser’s site settings.</p>
      )}
      {(permission === 'default' || (permission === 'granted' && !settings.enabled)) && (
        <button type="button" className="button button--primary" onClick={enableWebNotifications}>
          Turn on notifications
        </button>
      )}
      {on && (
        <label className="settings__choice">
          <input type="checkbox" checked onChange={() => updateWebNotifications({ enabled: false })} />
          Show notifications for new messages
        </label>
      )}
      {permission === 'granted' && (
        <label className="settings__choice">
          <input
            type="checkbox"
            checked={settings.hideMessageText}
            onChange={(event) => updateWebNotifications({ hideMessageText: event.target.checked })}
          />
          Hide message text in notifications
        </label>
      )}
    </fieldset>
  );
}
