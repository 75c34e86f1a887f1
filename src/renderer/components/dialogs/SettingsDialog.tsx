import { useState } from 'react';
import { localKeys, shortcuts } from '../../keyboard/shortcuts.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { applyThemePreference, readThemePreference, type ThemePreference } from '../../theme/themePreference.ts';
import { AccountSection } from '../account/AccountSection.tsx';
import { Modal } from '../common/Modal.tsx';
import { RadioGroup } from '../common/RadioGroup.tsx';
import { DesktopSettingsSection } from './DesktopSettingsSection.tsx';
import { PrivacySettingsSection } from './PrivacySettingsSection.tsx';
import { UpdatesSection } from './UpdatesSection.tsx';
import { WebNotificationsSection } from './WebNotificationsSection.tsx';

const themeChoices: ReadonlyArray<{ value: ThemePreference; label: string }> = [
  { value: 'system', label: 'Same as the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

const allKeys = [...Object.values(shortcuts), ...localKeys];

/** The account, privacy, the theme, the desktop app's own settings, updates
 * and the keyboard shortcuts. */
export function SettingsDialog() {
  const account = useChat((state) => state.account);
  const { closeDialog } = useActions();
  const [theme, setTheme] = useState(readThemePreference);

  function chooseTheme(preference: ThemePreference) {
    setTheme(preference);
    applyThemePreference(preference);
  }

  return (
    <Modal title="Settings" onClose={closeDialog}>
      {account && <AccountSection />}
      <PrivacySettingsSection />
      <RadioGroup
        legend="Theme"
        name="theme"
        className="settings__section settings__themes"
        choices={themeChoices}
        value={theme}
        onChange={chooseTheme}
        autoFocusChecked
      />
      <DesktopSettingsSection />
      <WebNotificationsSection />
      <UpdatesSection />
      <section className="settings__section">
        <h3 className="settings__heading">Keyboard shortcuts</h3>
        <dl className="settings__keys">
          {allKeys.map(({ keys, description }) => (
            <div key={keys} className="settings__key">
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{description}</dd>
            </div>
          ))}
        </dl>
      </section>
    </Modal>
  );
}
