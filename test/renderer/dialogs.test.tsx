// @vitest-environment jsdom
import './setup-dom.ts';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

describe('dialogs', () => {
  it('New chat finds users by name and opens the direct conversation with the one chosen', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, store } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'New chat' }));

    const dialog = screen.getByRole('dialog', { name: 'New chat' });
    const search = within(dialog).getByRole('textbox', { name: 'Search users' });
    expect(document.activeElement).toBe(search);
    await user.type(search, 'bo');
    await user.click(await within(dialog).findByRole('button', { name: bob.displayName }));

    expect(api.callsOf('createDirect')).toEqual([[bob.id]]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(store.getState().openId).toBe(`d-${bob.id}`);
    expect(screen.getByRole('heading', { name: bob.displayName })).toBeTruthy();
  });

  it('New group takes a name and members, then creates the group', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, store } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'New group' }));

    const dialog = screen.getByRole('dialog', { name: 'New group' });
    const create = within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Create group' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Group name' }), 'Hikers');
    expect(create.disabled).toBe(true);

    const search = within(dialog).getByRole('textbox', { name: 'Search users' });
    await user.type(search, 'b');
    await user.click(await within(dialog).findByRole('button', { name: bob.displayName }));
    await user.clear(search);
    await user.type(search, 'c');
    await user.click(await within(dialog).findByRole('button', { name: carol.displayName }));
    // Chosen members stay listed (and pressed) whatever the search shows.
    expect(within(dialog).getByRole('button', { name: bob.displayName, pressed: true })).toBeTruthy();

    await user.click(create);
    expect(api.callsOf('createGroup')).toEqual([['Hikers', [bob.id, carol.id]]]);
    expect(store.getState().openId).toBe('g-Hikers');
  });

  it('closes with Esc, returning focus to the button that opened it', async () => {
    const { user } = await renderApp(FakeDuplexApi.signedInAs(alice));
    const opener = screen.getByRole('button', { name: 'New chat' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'New chat' });
    // jsdom does not turn Esc into the dialog's cancel event as browsers do.
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    expect(await screen.findByRole('button', { name: 'New chat' })).toBe(opener);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('signs out from the user menu', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, store } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'Menu' }));
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Settings' }));
    await user.keyboard('{ArrowDown}');
    await user.keyboard('{Enter}');
    expect(api.callsOf('signOut')).toHaveLength(1);
    await screen.findByRole('button', { name: 'Sign in' });
    expect(store.getState().auth).toBe('signed-out');
  });
});
