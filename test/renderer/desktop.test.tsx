// @vitest-environment jsdom
import './setup-dom.ts';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDesktopApi, FakeDuplexApi, alice, bob, makeDirect } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const direct = makeDirect(alice, bob);

async function renderDesktop() {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(direct);
  const desktop = new FakeDesktopApi();
  const rendered = await renderApp(api, desktop);
  await waitFor(() => expect(rendered.store.getState().desktopSettings).not.toBeNull());
  return { ...rendered, api, desktop };
}

describe('desktop app extras', () => {
  it('reports the open conversation, and opens one when a notification is clicked', async () => {
    const { desktop, user } = await renderDesktop();
    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    expect(desktop.openConversations).toEqual([direct.id]);

    await user.click(screen.getByRole('button', { name: 'Back to chats' }));
    expect(desktop.openConversations).toEqual([direct.id, null]);

    act(() => desktop.emit({ type: 'open-conversation', conv: direct.id }));
    expect(screen.getByRole('heading', { name: 'Bob Marley' })).toBeTruthy();
  });

  it('lists the muted chats in Settings, and unmutes them there', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation({ ...direct, chatState: { pinned: false, archived: false, mutedUntil: Date.now() + 60_000 } });
    const desktop = new FakeDesktopApi();
    const { user } = await renderApp(api, desktop);
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    const mutedChats = screen.getByRole('list', { name: 'Muted chats' });
    await user.click(within(mutedChats).getByRole('button', { name: 'Unmute Bob Marley' }));
    expect(api.callsOf('setChatState')).toEqual([[direct.id, { mutedUntil: null }]]);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Muted chats' })).toBeNull());
  });

  it('shows the desktop settings in Settings, opened from the application menu too', async () => {
    const { desktop, user } = await renderDesktop();
    act(() => desktop.emit({ type: 'open-settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const notifications = within(dialog).getByRole<HTMLInputElement>('checkbox', { name: 'Show notifications for new messages' });
    expect(notifications.checked).toBe(true);
    await user.click(notifications);
    await waitFor(() => expect(desktop.settings.notificationsMuted).toBe(true));
    expect(notifications.checked).toBe(false);
  });

  it('has no desktop settings in the web client', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(direct);
    const { user } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    // The account's password form has the only checkbox: none of the desktop settings.
    const checkboxes = within(screen.getByRole('dialog', { name: 'Settings' })).queryAllByRole('checkbox');
    expect(checkboxes.map((checkbox) => checkbox.closest('label')?.textContent)).toEqual(['Also sign out my other devices']);
  });
});
