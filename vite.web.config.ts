// Build of the web client: src/web (which mounts src/renderer over the engine
// running in the page) to static files in out/web, which the relay serves at
// `/`. Besides the page, it builds the service worker (src/web/sw.ts) to
// sw.js at the root, with the list of the app-shell files to keep offline.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webRoot = resolve('src/web');
const publicDir = resolve(webRoot, 'public');
const SERVICE_WORKER = 'sw.js';
/** The string literal in sw.ts that stands for the shell description. */
const SHELL_PLACEHOLDER = /(["'`])__DUPLEX_SHELL__\1/;

/** Writes the shell into sw.js: every file of the build but sw.js itself,
 * and a version hashed from their contents, so that a build that changes
 * any of them changes sw.js, which is what makes browsers update it. */
/** Files of @fontsource/noto-color-emoji, as Vite names its assets. */
const EMOJI_FONT = /noto-color-emoji-.*\.woff2?$/;

function serviceWorkerShell(): Plugin {
  return {
    name: 'duplex-service-worker-shell',
    apply: 'build',
    // After Vite's own plugins have emitted index.html and minified chunks.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const worker = bundle[SERVICE_WORKER];
      if (worker?.type !== 'chunk' || !SHELL_PLACEHOLDER.test(worker.code)) {
        this.error(`${SERVICE_WORKER} with the shell placeholder is missing from the bundle`);
      }
      const contents = new Map<string, string | Uint8Array>();
      for (const [name, output] of Object.entries(bundle)) {
        if (name !== SERVICE_WORKER) contents.set(name, output.type === 'chunk' ? output.code : output.source);
      }
      for (const name of readdirSync(publicDir)) contents.set(name, readFileSync(resolve(publicDir, name)));
      const files = [...contents.keys()].sort();
      const hash = createHash('sha256');
      for (const name of files) hash.update(name).update(contents.get(name)!);
      // The colour emoji font comes in unicode-range subsets that the browser
      // fetches only when a message needs them (a few MB in all): precaching
      // them would make every install download them all. Offline, an emoji
      // whose subset was never fetched falls back to the system's font.
      const shell = { version: hash.digest('hex').slice(0, 16), files: files.filter((name) => !EMOJI_FONT.test(name)) };
      worker.code = worker.code.replace(SHELL_PLACEHOLDER, JSON.stringify(JSON.stringify(shell)));
    },
  };
}

export default defineConfig({
  root: webRoot,
  publicDir,
  // Relative URLs: the relay may serve the app below a path prefix.
  base: './',
  plugins: [react(), serviceWorkerShell()],
  build: {
    outDir: resolve('out/web'),
    emptyOutDir: true,
    rollupOptions: {
      input: { index: resolve(webRoot, 'index.html'), sw: resolve(webRoot, 'sw.ts') },
      output: {
        // The worker keeps a fixed name at the root: its URL is its identity,
        // and its scope is the folder it is served from.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? SERVICE_WORKER : 'assets/[name]-[hash].js'),
      },
    },
  },
});
