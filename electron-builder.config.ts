// electron-builder's configuration: the desktop installers (AppImage and
// .deb, NSIS, dmg) from the bundles electron-vite builds into out/. See
// docs/installers.md for what each setting is for and how to build.
import type { Configuration } from 'electron-builder';
import { APP_ICON_SET_DIR, MAC_ICON, WINDOWS_ICON } from './scripts/icons/icon-files.ts';
import { TRAY_ICON_DIR } from './src/main/tray/tray-icon-files.ts';

/** Also the Windows AppUserModelID: src/main sets the same id
 * (APP_USER_MODEL_ID), and the NSIS installer gives it to its shortcuts;
 * toasts show only when the two agree. */
const APP_ID = 'org.duplex.desktop';
/** The Linux executable, and so the desktop entry's name (duplex.desktop). */
const EXECUTABLE_NAME = 'duplex';

/**
 * The update feed written into the app (resources/app-update.yml). The app
 * does not use this URL: it always asks the relay the user signed in to
 * (RELAY/updates/, set at run time with setFeedURL; src/main/updates), so
 * one build serves every team. electron-builder needs a publish provider to
 * write the channel files (latest*.yml) and blockmaps at all; a team that
 * builds its own installers may name its relay here (DUPLEX_UPDATES_URL).
 */
const UPDATES_URL = process.env.DUPLEX_UPDATES_URL || 'https://relay.invalid/updates/';

const config: Configuration = {
  appId: APP_ID,
  // Written into the packed package.json, which Electron reads at start:
  // productName becomes app.name (menus, the userData folder, the X11
  // WM_CLASS "duplex", "Duplex"), desktopName the Wayland app_id and the
  // desktop entry that notifications name. electron-builder reads them too:
  // the product name of every installer, and StartupWMClass=duplex.
  extraMetadata: {
    productName: 'Duplex',
    desktopName: `${EXECUTABLE_NAME}.desktop`,
  },
  directories: { output: 'dist', buildResources: 'build' },
  // The desktop bundles only (out/web is the web client's), and the tray
  // icons, which the main process reads beside them inside app.asar.
  // package.json and the production node_modules are always added.
  files: ['out/main/**', 'out/preload/**', 'out/renderer/**', `${TRAY_ICON_DIR}/**`],
  asar: true,
  // SQLite is node:sqlite: there is no native module to rebuild for
  // Electron, and the rebuild step would try to download Electron's headers.
  npmRebuild: false,
  afterPack: './scripts/electron-fuses.ts',
  // The relay's feed (docs/installers.md, "Updates"): `duplex-relay updates
  // publish dist/` serves what this writes beside the installers.
  publish: { provider: 'generic', url: UPDATES_URL },

  linux: {
    target: ['AppImage', 'deb'],
    executableName: EXECUTABLE_NAME,
    icon: APP_ICON_SET_DIR,
    category: 'Network;InstantMessaging;',
    synopsis: 'Self-hosted chat',
    // Also the desktop entry's Comment.
    description: 'The desktop app of Duplex, a self-hosted chat',
    desktop: { entry: { GenericName: 'Chat', Keywords: 'chat;messaging;messenger;' } },
  },

  win: {
    target: 'nsis',
    icon: WINDOWS_ICON,
  },
  // No spaces: latest.yml names the installer with dashes, and the feed
  // serves the file by that name (electron-builder's default has spaces).
  nsis: {
    artifactName: '${productName}-Setup-${version}.${ext}',
    // A per-user install without questions, as chat apps do: no admin
    // rights, updates in place. (electron-builder's defaults, stated
    // because they are a choice.) Its Start menu shortcut carries APP_ID.
    oneClick: true,
    perMachine: false,
  },

  mac: {
    // The dmg to install; the zip is what electron-updater (Squirrel.Mac)
    // downloads to update.
    target: ['dmg', 'zip'],
    icon: MAC_ICON,
    category: 'public.app-category.social-networking',
  },
};

export default config;
