// @vitest-environment jsdom
import './setup-dom.ts';
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src/shared/api.ts';
import { FakeDuplexApi, alice, online } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

function rootConnection(container: HTMLElement): string | null {
  const marked = container.querySelectorAll('[data-connection]');
  expect(marked).toHaveLength(1);
  return marked[0]!.getAttribute('data-connection');
}

describe('connection banner', () => {
  it('is absent while online', async () => {
    const { view } = await renderApp(FakeDuplexApi.signedInAs(alice));
    expect(rootConnection(view.container)).toBe('online');
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
  });

  it('says why when not online, keeps data-connection current, and retries on demand', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { view, user } = await renderApp(api);
    const offline: ConnectionStatus = {
      state: 'offline',
      nextRetryAt: Date.now() + 30_000,
      lastCloseReason: 'Connection lost.',
      stopped: null,
      relayUrl: 'https://relay.test',
    };

    act(() => api.emit({ type: 'status', status: offline }));
    expect(rootConnection(view.container)).toBe('offline');
    expect(screen.getByRole('status').textContent).toBe('Offline: messages will be sent when you are back online');
    expect(screen.getByText(/Connection lost\. · Retrying in 30 s\./)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(api.callsOf('retryNow')).toHaveLength(1);

    act(() => api.emit({ type: 'status', status: { ...offline, state: 'connecting', nextRetryAt: null } }));
    expect(rootConnection(view.container)).toBe('connecting');
    expect(screen.getByRole('status').textContent).toBe('Connecting…');

    act(() => api.emit({ type: 'status', status: { ...offline, state: 'syncing', nextRetryAt: null } }));
    expect(rootConnection(view.container)).toBe('syncing');

    act(() => api.emit({ type: 'status', status: online }));
    expect(rootConnection(view.container)).toBe('online');
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
  });
});
