// @vitest-environment jsdom
// The update bar and the updates part of Settings (docs/ui.md, "The update
// bar"): what each update status says and offers, in the desktop app
// (restart) and in the web client (reload), over the in-memory APIs.
import './setup-dom.ts';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppUpdates, UpdateStatus } from '../../src/shared/app-updates.ts';
import { FakeDesktopApi, FakeDuplexApi, alice } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const status = (change: Partial<UpdateStatus>): UpdateStatus => ({
  phase: 'idle',
  version: null,
  percent: null,
  message: null,
  required: false,
  ...change,
});

async function renderDesktop(initial: Partial<UpdateStatus> = {}) {
  const desktop = new FakeDesktopApi();
  desktop.updateStatus = status(initial);
  const rendered = await renderApp(FakeDuplexApi.signedInAs(alice), desktop);
  await waitFor(() => expect(rendered.store.getState().update).not.toBeNull());
  const show = (change: Partial<UpdateStatus>) => act(() => desktop.emit({ type: 'update', status: status(change) }));
  return { ...rendered, desktop, show };
}

const bar = () => screen.queryByRole('region', { name: 'App update' });

describe('the update bar in the desktop app', () => {
  it('says nothing while idle', async () => {
    await renderDesktop();
    expect(bar()).toBeNull();
  });

  it('shows the download, then offers Restart to update', async () => {
    const { show, desktop, user } = await renderDesktop();
    show({ phase: 'downloading', version: '2.0.0', percent: 41 });
    const region = bar()!;
    expect(within(region).getByRole('status').textContent).toBe('Downloading Duplex 2.0.0…');
    expect(within(region).getByRole<HTMLProgressElement>('progressbar', { name: 'Update download' }).value).toBe(41);
    show({ phase: 'ready', version: '2.0.0' });
    expect(within(bar()!).getByRole('status').textContent).toBe('Duplex 2.0.0 is ready to install.');
    await user.click(screen.getByRole('button', { name: 'Restart to update' }));
    expect(desktop.updateRequests).toEqual(['restart']);
  });

  it('shows the status the app already had when the page loads', async () => {
    await renderDesktop({ phase: 'ready', version: '2.0.0' });
    expect(screen.getByRole('button', { name: 'Restart to update' })).toBeTruthy();
  });

  it('offers the download when automatic downloads are off, and can be dismissed', async () => {
    const { show, desktop, user } = await renderDesktop();
    show({ phase: 'available', version: '2.0.0' });
    expect(within(bar()!).getByRole('status').textContent).toBe('Duplex 2.0.0 is available.');
    await user.click(screen.getByRole('button', { name: 'Download update' }));
    expect(desktop.updateRequests).toEqual(['download']);
    await user.click(screen.getByRole('button', { name: 'Dismiss update message' }));
    expect(bar()).toBeNull();
    // Progress on the same step stays dismissed; the next step shows again.
    show({ phase: 'available', version: '2.0.0' });
    expect(bar()).toBeNull();
    show({ phase: 'ready', version: '2.0.0' });
    expect(bar()).not.toBeNull();
    // Checking again shows a dismissed bar again.
    await user.click(screen.getByRole('button', { name: 'Dismiss update message' }));
    act(() => desktop.emit({ type: 'open-settings' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Settings' })).getByRole('button', { name: 'Check for updates' }));
    expect(bar()).not.toBeNull();
  });

  it('says why when the relay refused this version, and cannot be dismissed then', async () => {
    const { show } = await renderDesktop();
    show({ phase: 'checking', required: true });
    expect(within(bar()!).getByRole('status').textContent).toBe(
      'This version of Duplex is too old for your relay. Checking for updates…',
    );
    expect(screen.queryByRole('button', { name: 'Dismiss update message' })).toBeNull();
    show({ phase: 'error', required: true, message: 'net::ERR_CONNECTION_REFUSED' });
    expect(within(bar()!).getByRole('status').textContent).toBe(
      'This version of Duplex is too old for your relay. Could not update: net::ERR_CONNECTION_REFUSED',
    );
    expect(screen.getByRole('button', { name: 'Dismiss update message' })).toBeTruthy();
  });

  it('Settings shows the version, the download setting, and checks for updates', async () => {
    const { desktop, show, user } = await renderDesktop();
    act(() => desktop.emit({ type: 'open-settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(within(dialog).getByText('Version 1.2.3')).toBeTruthy();
    const automatic = within(dialog).getByRole<HTMLInputElement>('checkbox', { name: 'Download updates automatically' });
    expect(automatic.checked).toBe(true);
    await user.click(automatic);
    await waitFor(() => expect(desktop.settings.autoDownloadUpdates).toBe(false));
    await user.click(within(dialog).getByRole('button', { name: 'Check for updates' }));
    expect(desktop.updateRequests).toEqual(['check']);
    show({ phase: 'up-to-date' });
    expect(within(bar()!).getByRole('status').textContent).toBe('Duplex is up to date.');
  });
});

describe('the update bar in the web client', () => {
  function webUpdates() {
    const listeners = new Set<(status: UpdateStatus) => void>();
    const requests: string[] = [];
    const updates: AppUpdates = {
      appliesBy: 'reload',
      getStatus: async () => status({}),
      check: async () => void requests.push('check'),
      download: async () => {},
      apply: async () => void requests.push('reload'),
      onStatus: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const show = (change: Partial<UpdateStatus>) => act(() => listeners.forEach((listener) => listener(status(change))));
    return { updates, requests, show };
  }

  it('tells the user the app was updated and reloads on request', async () => {
    const web = webUpdates();
    const { user } = await renderApp(FakeDuplexApi.signedInAs(alice), null, web.updates);
    expect(bar()).toBeNull();
    web.show({ phase: 'ready' });
    expect(within(bar()!).getByRole('status').textContent).toBe('Duplex was updated: reload to use the new version.');
    await user.click(screen.getByRole('button', { name: 'Reload' }));
    expect(web.requests).toEqual(['reload']);
  });

  it('offers Check for updates in Settings, without a version or desktop settings', async () => {
    const web = webUpdates();
    const { user } = await renderApp(FakeDuplexApi.signedInAs(alice), null, web.updates);
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(within(dialog).queryByText(/^Version/)).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Check for updates' }));
    expect(web.requests).toEqual(['check']);
  });

  it('has no updates part where the shell offers none', async () => {
    const { user } = await renderApp(FakeDuplexApi.signedInAs(alice));
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    expect(within(screen.getByRole('dialog', { name: 'Settings' })).queryByRole('button', { name: 'Check for updates' })).toBeNull();
  });
});
