import { useState } from 'react';
import type { GroupAddPolicy } from '../../../shared/protocol/index.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { RadioGroup } from '../common/RadioGroup.tsx';

const groupAddChoices: ReadonlyArray<{ value: GroupAddPolicy; label: string }> = [
  { value: 'everyone', label: 'Everyone' },
  { value: 'contacts', label: 'Only people I have a chat with' },
  { value: 'nobody', label: 'Nobody' },
];

const FAILED = 'Could not change this. Check your connection and try again.';

/** Who may add the user to groups, and the users they blocked (with Unblock).
 * Both live on the relay and follow the user to every device. */
export function PrivacySettingsSection() {
  const privacy = useChat((state) => state.privacy);
  const { setGroupAdds, unblockUser } = useActions();
  const [error, setError] = useState<string | null>(null);
  if (!privacy) return null;

  function attempt(task: Promise<void>): void {
    setError(null);
    task.catch(() => setError(FAILED));
  }

  return (
    <>
      <RadioGroup
        legend="Who can add me to groups"
        name="group-adds"
        choices={groupAddChoices}
        value={privacy.groupAdds}
        onChange={(policy) => attempt(setGroupAdds(policy))}
      />
      <section className="settings__section" aria-labelledby="settings-blocked">
        <h3 id="settings-blocked" className="settings__heading">
          Blocked users
        </h3>
        {privacy.blocked.length === 0 ? (
          <p className="settings__muted">Nobody. Block someone from the header of your chat with them.</p>
        ) : (
          <ul className="settings__muted-list" aria-label="Blocked users">
            {privacy.blocked.map((user) => (
              <li key={user.id}>
                <span>
                  {user.displayName} <span className="settings__muted">@{user.username}</span>
                </span>
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Unblock ${user.displayName}`}
                  onClick={() => attempt(unblockUser(user.id))}
                >
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        )}
        {error && (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        )}
      </section>
    </>
  );
}
