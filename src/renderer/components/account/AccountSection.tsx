import { useState } from 'react';
import { DeleteAccountSection } from './DeleteAccountSection.tsx';
import { DevicesSection } from './DevicesSection.tsx';
import { PasswordSection } from './PasswordSection.tsx';
import { ProfileSection } from './ProfileSection.tsx';
import { YourDataSection } from './YourDataSection.tsx';

/** The account's own parts of Settings (docs/ui.md, "Account"). */
export function AccountSection() {
  // A new key reads the device list again (after other devices were signed out with a password change).
  const [devicesRead, setDevicesRead] = useState(0);
  return (
    <>
      <ProfileSection />
      <PasswordSection devicesChanged={() => setDevicesRead((count) => count + 1)} />
      <DevicesSection key={devicesRead} />
      <YourDataSection />
      <DeleteAccountSection />
    </>
  );
}
