// Before the Electron suite: say plainly when it cannot run, otherwise build
// the app it launches (main, preload and renderer into out/).
import { spawnSync } from 'node:child_process';
import { electronBinary, SKIPPED_MESSAGE } from './electron-binary.ts';

export default function globalSetup(): void {
  if (electronBinary() === null) {
    console.log(`\n${SKIPPED_MESSAGE}\n`);
    return;
  }
  if (process.env.DUPLEX_SKIP_BUILD === '1') return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) throw new Error(`electron-vite build failed (exit ${build.status})`);
}
