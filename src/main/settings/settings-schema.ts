// The settings file's shape and its defaults. The file is validated on load
// and every field may be missing (a first start, or a file written by an
// older version), in which case it takes its default.
import { z } from 'zod';
import type {
  DesktopPlatform,
  DesktopSettings,
  DesktopSettingsPatch,
} from '../../shared/desktop-api.ts';
import { idSchema } from '../../shared/protocol/index.ts';
import { MAX_RELAY_URLS, normalizeRelayUrls } from '../../shared/engine/relay-url.ts';
import type { WindowState } from '../window/window-state.ts';

/** Everything kept in the file: the user's settings and the window's placement. */
export interface StoredSettings extends DesktopSettings {
  window: WindowState | null;
  /** The muted conversations of versions before chat state, until they are
   * handed to the engine once (docs/desktop.md, "Muted chats"); empty after. */
  mutedConversations: string[];
}

/** A bound on the file's size, far above any real use. */
export const MAX_MUTED_CONVERSATIONS = 10_000;

const switches = {
  closeToTray: z.boolean(),
  startAtLogin: z.boolean(),
  notificationsMuted: z.boolean(),
  hideMessageText: z.boolean(),
  autoDownloadUpdates: z.boolean(),
};

/** What the renderer may change through `updateSettings`: known switches only. */
export const settingsPatchSchema = z.strictObject(switches).partial() satisfies z.ZodType<DesktopSettingsPatch>;

const windowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
}) satisfies z.ZodType<WindowState>;

/** The relay URLs of the last sign-in: none, or a list the sign-in itself
 * would take (each valid and normalised, none twice, at most MAX_RELAY_URLS). */
export const relayUrlsSchema = z
  .array(z.string().max(2048))
  .max(MAX_RELAY_URLS)
  .superRefine((urls, context) => {
    if (urls.length === 0) return;
    try {
      if (normalizeRelayUrls(urls).some((url, i) => url !== urls[i])) {
        context.addIssue({ code: 'custom', message: 'relay URLs must be normalised' });
      }
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const settingsFileSchema = z
  .object({
    ...switches,
    relayUrls: relayUrlsSchema,
    mutedConversations: z.array(idSchema).max(MAX_MUTED_CONVERSATIONS),
    window: windowStateSchema.nullable(),
  })
  .partial() satisfies z.ZodType<Partial<StoredSettings>>;

export function defaultSettings(environment: {
  platform: DesktopPlatform;
  trayAvailable: boolean;
}): StoredSettings {
  return {
    // On Linux the window could vanish with no tray icon to bring it back.
    closeToTray: environment.platform !== 'linux' || environment.trayAvailable,
    startAtLogin: false,
    notificationsMuted: false,
    hideMessageText: false,
    // Updates carry security fixes: fetched without asking, installed on
    // the user's restart (or quit), as Signal and Element do.
    autoDownloadUpdates: true,
    relayUrls: [],
    mutedConversations: [],
    window: null,
  };
}
