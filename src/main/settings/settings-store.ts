// The settings, kept in memory and in a JSON file in userData. A missing
// file means defaults; an unreadable or invalid one means defaults and a
// warning, never a failed start. Writes replace the file atomically, so a
// crash mid-write leaves the previous settings, not half a file.
import { readFileSync } from 'node:fs';
import type { DesktopSettings, DesktopSettingsPatch } from '../../shared/desktop-api.ts';
import type { Log } from '../log.ts';
import type { WindowState } from '../window/window-state.ts';
import { writeFileAtomically } from '../write-file-atomically.ts';
import { relayUrlsSchema, settingsFileSchema, type StoredSettings } from './settings-schema.ts';

type SettingsListener = (settings: DesktopSettings) => void;

function readSettingsFile(file: string, defaults: StoredSettings, log: Log): StoredSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn(`settings: cannot read ${file}, using defaults: ${String(error)}`);
    }
    return defaults;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    log.warn(`settings: ${file} is not JSON, using defaults: ${String(error)}`);
    return defaults;
  }
  const parsed = settingsFileSchema.safeParse(json);
  if (!parsed.success) {
    log.warn(`settings: ${file} is invalid, using defaults: ${parsed.error.message}`);
    return defaults;
  }
  return { ...defaults, ...parsed.data };
}

export class SettingsStore {
  readonly #file: string;
  readonly #log: Log;
  readonly #listeners = new Set<SettingsListener>();
  #stored: StoredSettings;

  constructor(file: string, defaults: StoredSettings, log: Log) {
    this.#file = file;
    this.#log = log;
    this.#stored = readSettingsFile(file, defaults, log);
  }

  get settings(): DesktopSettings {
    const { window: _window, mutedConversations: _legacyMutes, ...settings } = this.#stored;
    return settings;
  }

  /** The conversations muted by a version before chat state, still to be
   * handed to the engine (legacy-mutes.ts); empty once that is done. */
  get legacyMutedConversations(): readonly string[] {
    return this.#stored.mutedConversations;
  }

  /** The old mutes are the engine's now: the file keeps them no longer. */
  clearLegacyMutedConversations(): void {
    if (this.#stored.mutedConversations.length === 0) return;
    this.#stored = { ...this.#stored, mutedConversations: [] };
    this.#write();
  }

  get windowState(): WindowState | null {
    return this.#stored.window;
  }

  update(patch: DesktopSettingsPatch): DesktopSettings {
    return this.#change(patch);
  }

  /** The relay URLs of a sign-in (the engine's account), offered at the
   * next one. Checked like the file: a list that does not pass is logged and
   * not kept. */
  rememberRelayUrls(relayUrls: readonly string[]): void {
    if (JSON.stringify(relayUrls) === JSON.stringify(this.#stored.relayUrls)) return;
    const checked = relayUrlsSchema.safeParse(relayUrls);
    if (!checked.success) {
      this.#log.warn(`settings: not keeping the relay URLs ${JSON.stringify(relayUrls)}: ${checked.error.message}`);
      return;
    }
    this.#change({ relayUrls: checked.data });
  }

  saveWindowState(window: WindowState): void {
    this.#stored = { ...this.#stored, window };
    this.#write();
  }

  /** Called after every change of the user's settings (not of the window's). */
  onChange(listener: SettingsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #change(patch: Partial<DesktopSettings>): DesktopSettings {
    this.#stored = { ...this.#stored, ...patch };
    this.#write();
    const { settings } = this;
    for (const listener of this.#listeners) listener(settings);
    return settings;
  }

  #write(): void {
    // Synchronous: the file is a few hundred bytes, and the file then
    // trivially follows the order of changes.
    try {
      writeFileAtomically(this.#file, `${JSON.stringify(this.#stored, null, 2)}\n`);
    } catch (error) {
      this.#log.error(`settings: cannot write ${this.#file}: ${String(error)}`);
    }
  }
}
