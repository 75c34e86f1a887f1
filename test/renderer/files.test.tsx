// @vitest-environment jsdom
// Files in the UI against the fake API (docs/ui.md, "Files"): a document is
// attached, captioned and sent with its original bytes, and so is a photo
// chosen through the Attach menu's `Document`; Escape discards the
// choice; a queued file shows upload progress from the engine's events; a
// received document offers `Download NAME`, which saves through the desktop
// app's save dialog; an image is shown from a blob: URL of the bytes the
// engine gives. (Photos are decoded and re-encoded through a canvas, which
// jsdom lacks: test/e2e/files.spec.ts covers them in real Chromium.)
import './setup-dom.ts';
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeDesktopApi, FakeDuplexApi, alice, bob, makeDirect, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const direct = makeDirect(alice, bob);
const FILE_ID = 'F'.repeat(24);

beforeEach(() => {
  // jsdom has no object URLs.
  let next = 0;
  URL.createObjectURL = vi.fn(() => `blob:test/${++next}`);
  URL.revokeObjectURL = vi.fn();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function openChat(messages = [] as ReturnType<typeof makeMessage>[], desktop?: FakeDesktopApi) {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(direct, messages);
  const rendered = await renderApp(api, desktop ?? null);
  await rendered.user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
  return { ...rendered, api };
}

describe('files in the UI', () => {
  it('sends an attached document with its caption and its original bytes', async () => {
    const { api, user } = await openChat();
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 1, 2, 3]);
    await user.upload(screen.getByLabelText('Attach files'), new File([bytes], 'Minutes.pdf', { type: 'application/pdf' }));
    expect((await screen.findByRole('list', { name: 'Chosen files' })).textContent).toContain('Minutes.pdf');
    await user.type(screen.getByRole('textbox', { name: 'Caption' }), 'For Monday');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(api.callsOf('sendFile')).toHaveLength(1));
    const [[conv, draft]] = api.callsOf('sendFile') as [[string, { name: string; mime: string; bytes: Uint8Array; caption: string }]];
    expect(conv).toBe(direct.id);
    expect(draft).toMatchObject({ name: 'Minutes.pdf', mime: 'application/pdf', caption: 'For Monday' });
    expect([...draft.bytes]).toEqual([...bytes]);
    // Back to the message field; the queued message shows its upload.
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
    const bar = await screen.findByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    const cid = screen.getByText('For Monday').closest('[data-cid]')!.getAttribute('data-cid')!;
    act(() => api.emit({ type: 'upload-progress', conv: direct.id, cid, sent: 3, total: 7 }));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('3');
  });

  it('sends a photo chosen as a document as it is: its bytes, no dimensions, no thumbnail', async () => {
    const { api, user } = await openChat();
    await user.click(screen.getByRole('button', { name: 'Attach' }));
    const menu = screen.getByRole('menu', { name: 'Attach' });
    expect([...menu.querySelectorAll('[role="menuitem"]')].map((item) => item.textContent)).toEqual(['Photos and files', 'Document']);
    // The menu item opens the documents' input (jsdom has no file chooser).
    const input = screen.getByLabelText('Attach documents') as HTMLInputElement;
    const opened = vi.fn();
    input.addEventListener('click', opened);
    await user.click(screen.getByRole('menuitem', { name: 'Document' }));
    expect(opened).toHaveBeenCalledTimes(1);
    // (Chosen through `Attach files` this PNG would be decoded and re-encoded as a photo.)
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7]);
    await user.upload(input, new File([bytes], 'scan.png', { type: 'image/png' }));
    await user.click(await screen.findByRole('button', { name: 'Send' }));
    await waitFor(() => expect(api.callsOf('sendFile')).toHaveLength(1));
    const [[, draft]] = api.callsOf('sendFile') as [[string, Record<string, unknown> & { bytes: Uint8Array }]];
    expect(draft).toMatchObject({ name: 'scan.png', mime: 'image/png' });
    expect([...draft.bytes]).toEqual([...bytes]);
    for (const field of ['width', 'height', 'thumb']) expect(draft).not.toHaveProperty(field);
  });

  it('discards the chosen files with Escape, sending nothing', async () => {
    const { api, user } = await openChat();
    await user.upload(screen.getByLabelText('Attach files'), new File(['x'], 'a.txt', { type: 'text/plain' }));
    await user.click(await screen.findByRole('textbox', { name: 'Caption' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('textbox', { name: 'Caption' })).toBeNull();
    expect(api.callsOf('sendFile')).toEqual([]);
  });

  it('offers a received document for download through the desktop app’s save dialog', async () => {
    const desktop = new FakeDesktopApi();
    const received = makeMessage({ conv: direct.id, seq: 1, from: bob.id, body: '', mine: false, file: { id: FILE_ID, name: 'Report.pdf', mime: 'application/pdf', size: 2048 } });
    const { user } = await openChat([received], desktop);
    expect(screen.getByText('2.0 KB')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Download Report.pdf' }));
    await waitFor(() => expect(desktop.savedFiles).toEqual([[FILE_ID, 'Report.pdf']]));
  });

  it('shows a received image from a blob: URL of the engine’s bytes, and opens the viewer', async () => {
    const received = makeMessage({ conv: direct.id, seq: 1, from: bob.id, body: 'Look', mine: false, file: { id: FILE_ID, name: 'cat.jpg', mime: 'image/jpeg', size: 3, width: 4, height: 3, thumb: 'data:image/jpeg;base64,AAAA' } });
    const api = FakeDuplexApi.signedInAs(alice);
    api.files.set(FILE_ID, new Uint8Array([0xff, 0xd8, 0xff]));
    api.addConversation(direct, [received]);
    const { user } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    const image = await screen.findByRole('img', { name: 'cat.jpg' });
    await waitFor(() => expect(image.getAttribute('src')).toMatch(/^blob:/));
    expect(api.callsOf('getFile')).toEqual([[FILE_ID]]);
    await user.click(image);
    expect(await screen.findByRole('dialog', { name: 'Image viewer' })).toBeTruthy();
  });
});
