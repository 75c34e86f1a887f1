// Saving a file, or the user's data export, in the desktop app: the native save dialog is a stand-in here
// (Electron's dialog cannot run in plain Node), the file system is real.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { safeFileName, saveBytes, saveFile } from '../../src/main/save-file.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'duplex-save-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('saving a file', () => {
  it('offers the name in Downloads and writes the bytes where the user chose', async () => {
    const chosen = path.join(dir, 'elsewhere.pdf');
    const showSaveDialog = vi.fn(async () => ({ canceled: false, filePath: chosen }));
    await saveFile({ getFile: async () => new Uint8Array([1, 2, 3]), showSaveDialog, writeFile, downloadsDir: '/home/me/Downloads' }, 'A'.repeat(24), 'notes.pdf');
    expect(showSaveDialog).toHaveBeenCalledWith({ defaultPath: path.join('/home/me/Downloads', 'notes.pdf') });
    expect([...readFileSync(chosen)]).toEqual([1, 2, 3]);
  });

  it('writes nothing and fetches nothing when the user cancels', async () => {
    const getFile = vi.fn(async () => new Uint8Array([1]));
    const write = vi.fn(async () => {});
    await saveFile({ getFile, showSaveDialog: async () => ({ canceled: true }), writeFile: write, downloadsDir: dir }, 'A'.repeat(24), 'a.txt');
    expect(getFile).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
  });

  it('saves the data export the same way: asked where first, read only then, under a safe name', async () => {
    const chosen = path.join(dir, 'my-data.zip');
    const order: string[] = [];
    const showSaveDialog = vi.fn(async () => {
      order.push('dialog');
      return { canceled: false, filePath: chosen };
    });
    const read = async () => {
      order.push('read');
      return new Uint8Array([0x50, 0x4b]);
    };
    await saveBytes({ showSaveDialog, writeFile, downloadsDir: '/home/me/Downloads' }, '../duplex-alice.zip', read);
    expect(showSaveDialog).toHaveBeenCalledWith({ defaultPath: path.join('/home/me/Downloads', 'duplex-alice.zip') });
    expect(order).toEqual(['dialog', 'read']);
    expect([...readFileSync(chosen)]).toEqual([0x50, 0x4b]);
  });

  it('never lets a suggested name leave the folder or break a file system', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Windows\\evil.exe')).toBe('evil.exe');
    expect(safeFileName('a<b>c:d|e?f*g"h\u0001.txt')).toBe('a_b_c_d_e_f_g_h_.txt');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('   ')).toBe('file');
  });
});
