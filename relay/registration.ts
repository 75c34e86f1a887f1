// Whether new accounts may register. An operator switches it with
// `duplex-relay registration open|close`, which stores the choice in the
// database: a running relay reads it on every registration request, so it
// takes effect at once, and it outlives restarts. The configured mode
// (--registration, DUPLEX_REGISTRATION or the config file) is the default
// that applies while nothing is stored.
import type { RegistrationMode } from './config.ts';
import type { RegistrationSetting, RelayStore } from './store/types.ts';

export interface RegistrationPolicy {
  mode: RegistrationMode;
  /** The operator's stored choice, when there is one; `mode` is then its mode. */
  stored: RegistrationSetting | undefined;
}

export async function registrationPolicy(store: RelayStore, configured: RegistrationMode): Promise<RegistrationPolicy> {
  const stored = await store.registrationSetting();
  return { mode: stored?.mode ?? configured, stored };
}
