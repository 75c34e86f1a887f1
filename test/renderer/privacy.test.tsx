// @vitest-environment jsdom
// Blocking from a direct chat's header, and the privacy part of Settings
// (who may add me to groups, the blocked users with Unblock), over the fake
// DuplexApi; the engine and relay side are tested in test/relay/privacy.test.ts.
import './setup-dom.ts';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, makeDirect, makeGroup, carol } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

describe('privacy', () => {
  it('blocks and unblocks the other member from a direct chat’s header', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    api.addConversation(makeGroup('g-1', 'Hikers', [alice, bob, carol]));
    const { user, store } = await renderApp(api);
    store.getState().actions.openConversation('g-1');
    // A group has no block button: blocking is about one person.
    await screen.findByRole('heading', { name: 'Hikers' });
    expect(screen.queryByRole('button', { name: /^Block/ })).toBeNull();

    store.getState().actions.openConversation(`d-${bob.id}`);
    await user.click(await screen.findByRole('button', { name: `Block ${bob.displayName}`, pressed: false }));
    expect(api.callsOf('block')).toEqual([[bob.id]]);
    await user.click(await screen.findByRole('button', { name: `Unblock ${bob.displayName}`, pressed: true }));
    expect(api.callsOf('unblock')).toEqual([[bob.id]]);
    expect(await screen.findByRole('button', { name: `Block ${bob.displayName}` })).toBeTruthy();
  });

  it('Settings chooses who may add me to groups and lists blocked users with Unblock', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.privacy = { groupAdds: 'everyone', blocked: [bob, carol] };
    const { user, store } = await renderApp(api);
    store.getState().actions.openDialog('settings');
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });

    const policies = within(dialog).getByRole('group', { name: 'Who can add me to groups' });
    expect(within(policies).getByRole<HTMLInputElement>('radio', { name: 'Everyone' }).checked).toBe(true);
    await user.click(within(policies).getByRole('radio', { name: 'Only people I have a chat with' }));
    expect(api.callsOf('setGroupAdds')).toEqual([['contacts']]);
    await waitFor(() =>
      expect(within(policies).getByRole<HTMLInputElement>('radio', { name: 'Only people I have a chat with' }).checked).toBe(true),
    );

    const blocked = within(dialog).getByRole('list', { name: 'Blocked users' });
    expect(within(blocked).getAllByRole('listitem')).toHaveLength(2);
    await user.click(within(blocked).getByRole('button', { name: `Unblock ${bob.displayName}` }));
    expect(api.callsOf('unblock')).toEqual([[bob.id]]);
    await waitFor(() => expect(within(blocked).getAllByRole('listitem')).toHaveLength(1));
  });

  it('says so when a change fails, and keeps what the relay has', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, store } = await renderApp(api);
    store.getState().actions.openDialog('settings');
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    api.failNext.add('setGroupAdds');
    await user.click(within(dialog).getByRole('radio', { name: 'Nobody' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/Could not change this/);
    expect(within(dialog).getByRole<HTMLInputElement>('radio', { name: 'Everyone' }).checked).toBe(true);
    expect(within(dialog).getByText(/Nobody\. Block someone/)).toBeTruthy();
  });

  it('follows privacy events from other devices', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { store } = await renderApp(api);
    api.emit({ type: 'privacy', privacy: { groupAdds: 'nobody', blocked: [carol] } });
    expect(store.getState().privacy).toEqual({ groupAdds: 'nobody', blocked: [carol] });
  });
});
