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

  it('mutes a conversation from its header', async () => {
    const { desktop, user } = await renderDesktop();
    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    const mute = screen.getByRole('button', { name: 'Mute notifications', pressed: false });
    await user.click(mute);
    await waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('true'));
    expect(desktop.settings.mutedConversations).toEqual([direct.id]);
    expect(screen.getByRole('button', { name: /^Bob Marley.*muted$/ })).toBeTruthy();

    // Settings lists it, and can unmute it.
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    const mutedChats = screen.getByRole('list', { name: 'Muted chats' });
    await user.click(within(mutedChats).getByRole('button', { name: 'Unmute Bob Marley' }));
    await waitFor(() => expect(desktop.settings.mutedConversations).toEqual([]));
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

  it('has no desktop settings or mute button in the web client', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(direct);
    const { user } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    expect(screen.queryByRole('button', { name: 'Mute notifications' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Settings' }));
    expect(within(screen.getByRole('dialog', { name: 'Settings' })).queryByRole('checkbox')).toBeNull();
  });
});
