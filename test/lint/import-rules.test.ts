// Proves that the import rules of docs/architecture.md are enforced: each forbidden
// import, linted as if it were a file in the folder concerned, must be
// reported, and each allowed one must not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

const forbidden: Array<[string, string]> = [
  ['src/shared/engine/x.ts', "import { readFile } from 'node:fs';\nreadFile('a', () => {});"],
  ['src/shared/engine/x.ts', "import { app } from 'electron';\napp.quit();"],
  ['src/shared/engine/x.ts', "import { thing } from '../../main/thing.ts';\nthing();"],
  ['src/renderer/x.ts', "import { parseRelayFrame } from '../shared/protocol/index.ts';\nparseRelayFrame('');"],
  ['src/renderer/x.ts', "import { ipcRenderer } from 'electron';\nipcRenderer.send('a');"],
  ['src/renderer/x.ts', "import { run } from '../main/run.ts';\nrun();"],
  ['src/preload/x.ts', "import { z } from 'zod';\nz.string();"],
  ['src/preload/x.ts', "import { CLOSE_CODES } from '../shared/protocol/index.ts';\nconsole.log(CLOSE_CODES);"],
  ['src/main/x.ts', "import { App } from '../renderer/App.tsx';\nconsole.log(App);"],
  ['src/web/x.ts', "import { readFile } from 'node:fs';\nreadFile('a', () => {});"],
  ['relay/x.ts', "import { Engine } from '../src/shared/engine/engine.ts';\nconsole.log(Engine);"],
  ['relay/x.ts', "import { api } from '../src/shared/api.ts';\nconsole.log(api);"],
];

const allowed: Array<[string, string]> = [
  ['src/renderer/x.ts', "import type { DuplexApi } from '../shared/api.ts';\nexport type A = DuplexApi;"],
  ['src/preload/x.ts', "import { contextBridge } from 'electron';\nimport type { DuplexApi } from '../shared/api.ts';\nexport type A = DuplexApi;\ncontextBridge.exposeInMainWorld('a', {});"],
  ['src/main/x.ts', "import { app } from 'electron';\nimport { CLOSE_CODES } from '../shared/protocol/index.ts';\nconsole.log(app, CLOSE_CODES);"],
  ['src/web/x.ts', "import { CLOSE_CODES } from '../shared/protocol/index.ts';\nconsole.log(CLOSE_CODES);"],
  ['relay/x.ts', "import { CLOSE_CODES } from '../src/shared/protocol/index.ts';\nimport { WebSocketServer } from 'ws';\nconsole.log(CLOSE_CODES, WebSocketServer);"],
  ['relay/x.ts', "import { migrate } from '../src/shared/sqlite/migrations.ts';\nconsole.log(migrate);"],
];

describe('import rules', () => {
  it.each(forbidden)('reports a forbidden import in %s', async (filePath, code) => {
    expect(await restrictedImportMessages(filePath, code)).not.toEqual([]);
  });

  it.each(allowed)('accepts an allowed import in %s', async (filePath, code) => {
    expect(await restrictedImportMessages(filePath, code)).toEqual([]);
  });
});
