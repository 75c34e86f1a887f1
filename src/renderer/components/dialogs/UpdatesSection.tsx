import { useActions, useChat } from '../../store/useChat.ts';

/** The version (desktop app) and "Check for updates", where the shell has
 * updates; what the check finds shows in the update bar. */
export function UpdatesSection() {
  const appliesBy = useChat((state) => state.updatesApplyBy);
  const version = useChat((state) => state.desktopInfo?.version);
  const { checkForUpdates } = useActions();
  if (appliesBy === null) return null;
  return (
    <section className="settings__section">
      <h3 className="settings__heading">About Duplex</h3>
      {version && <p>Version {version}</p>}
      <button type="button" className="button button--small" onClick={checkForUpdates}>
        Check for updates
      </button>
    </section>
  );
}
