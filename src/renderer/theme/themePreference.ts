// Light and dark follow the system (prefers-color-scheme, through CSS
// `color-scheme` and `light-dark()`) unless the user picks one in Settings.
// The choice is a preference of this device's UI, so it lives in
// localStorage rather than going through the engine.
export type ThemePreference = 'system' | 'light' | 'dark';

const STORAGE_KEY = 'duplex.theme';

export function readThemePreference(): ThemePreference {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** Applies the preference to the page and remembers it. */
export function applyThemePreference(preference: ThemePreference): void {
  const root = document.documentElement;
  if (preference === 'system') {
    delete root.dataset.theme;
    localStorage.removeItem(STORAGE_KEY);
  } else {
    root.dataset.theme = preference;
    localStorage.setItem(STORAGE_KEY, preference);
  }
}
