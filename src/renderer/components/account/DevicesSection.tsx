import { useEffect, useState } from 'react';
import type { Device } from '../../../shared/api.ts';
import { formatLastActive } from '../../format/time.ts';
import { useActions } from '../../store/useChat.ts';

const UNREACHABLE = 'Could not reach the relay. Check your connection and try again.';

/** Where the user is signed in (docs/ui.md, "Account"): each device with its
 * last activity and address, a `Sign out` for every one but this, and `Sign
 * out all other devices`. Read from the relay when the settings open. */
export function DevicesSection() {
  const { listDevices, signOutDevice, signOutOtherDevices } = useActions();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    let current = true;
    listDevices().then(
      (listed) => current && setDevices(listed),
      () => current && setError(UNREACHABLE),
    );
    return () => {
      current = false;
    };
  }, [listDevices]);

  function change(task: Promise<Device[]>): void {
    setPending(true);
    setError(null);
    task
      .then(setDevices, () => setError(UNREACHABLE))
      .finally(() => setPending(false));
  }

  const others = devices?.filter((device) => !device.current) ?? [];
  return (
    <section className="settings__section" aria-labelledby="settings-devices">
      <h3 id="settings-devices" className="settings__heading">
        Devices
      </h3>
      {devices === null && !error && <p className="settings__muted">Loading…</p>}
      {devices && (
        <ul className="devices" aria-label="Devices">
          {devices.map((device) => (
            <li key={device.id} className="devices__entry" data-current={device.current}>
              <div>
                <div className="devices__name">{device.name}</div>
                <div className="settings__muted devices__detail">
                  {device.current ? 'This device' : formatLastActive(device.lastActiveAt)}
                  {device.address && ` · ${device.address}`}
                </div>
              </div>
              {!device.current && (
                <button type="button" className="button" disabled={pending} onClick={() => change(signOutDevice(device.id))}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <button type="button" className="button devices__all" disabled={pending} onClick={() => change(signOutOtherDevices())}>
          Sign out all other devices
        </button>
      )}
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
