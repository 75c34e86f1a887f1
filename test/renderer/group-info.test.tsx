// @vitest-environment jsdom
import './setup-dom.ts';
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const hikers = makeGroup('g-hikers', 'Hikers', [alice, bob]);

/** Alice, in the Hikers group (and a direct chat with Carol), opens Group info. */
async function openGroupInfo() {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(hikers);
  api.addConversation(makeDirect(alice, carol));
  const rendered = await renderApp(api);
  rendered.store.getState().actions.openConversation(hikers.id);
  const opener = await screen.findByRole('button', { name: 'Group info' });
  await rendered.user.click(opener);
  const dialog = screen.getByRole('dialog', { name: 'Group info' });
  return { ...rendered, api, opener, dialog };
}

function memberNames(dialog: HTMLElement): Array<string | null> {
  const list = within(dialog).getByRole('list', { name: 'Members' });
  return within(list).getAllByRole('listitem').map((item) => item.textContent);
}

describe('group info', () => {
  it('shows the title and the members, "You" for the user', async () => {
    const { dialog } = await openGroupInfo();
    const name = within(dialog).getByRole<HTMLInputElement>('textbox', { name: 'Group name' });
    expect(name.value).toBe('Hikers');
    expect(document.activeElement).toBe(name);
    const members = memberNames(dialog);
    expect(members).toEqual(['You', bob.displayName]);
  });

  it('renames the group with the trimmed title', async () => {
    const { api, user, dialog, store } = await openGroupInfo();
    const name = within(dialog).getByRole('textbox', { name: 'Group name' });
    await user.clear(name);
    await user.type(name, '  Mountain hikers  ');
    await user.click(within(dialog).getByRole('button', { name: 'Rename' }));

    expect(api.callsOf('rename')).toEqual([[hikers.id, 'Mountain hikers']]);
    expect(store.getState().conversations.get(hikers.id)?.title).toBe('Mountain hikers');
    expect(screen.getByRole('heading', { name: 'Mountain hikers' })).toBeTruthy();
    expect(within(dialog).queryByRole('alert')).toBeNull();
  });

  it('refuses a blank or too long title without asking the engine', async () => {
    const { api, user, dialog } = await openGroupInfo();
    const name = within(dialog).getByRole('textbox', { name: 'Group name' });
    await user.clear(name);
    await user.type(name, '   ');
    await user.click(within(dialog).getByRole('button', { name: 'Rename' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('A group name has 1 to 64 characters.');

    await user.clear(name);
    await user.type(name, 'x'.repeat(65));
    await user.click(within(dialog).getByRole('button', { name: 'Rename' }));
    expect(within(dialog).getByRole('alert')).toBeTruthy();
    expect(api.callsOf('rename')).toEqual([]);
  });

  it('adds the members chosen with the user search', async () => {
    const { api, user, dialog, store } = await openGroupInfo();
    const add = within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Add' });
    expect(add.disabled).toBe(true);

    // Bob is a member already, so the search does not offer him.
    await user.type(within(dialog).getByRole('textbox', { name: 'Search users' }), 'c');
    await user.click(await within(dialog).findByRole('button', { name: carol.displayName, pressed: false }));
    expect(within(dialog).getByRole('button', { name: carol.displayName, pressed: true })).toBeTruthy();
    expect(within(dialog).queryByRole('button', { name: bob.displayName })).toBeNull();
    await user.click(add);

    expect(api.callsOf('addMembers')).toEqual([[hikers.id, [carol.id]]]);
    expect(store.getState().conversations.get(hikers.id)?.members.map((m) => m.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(memberNames(dialog)).toEqual(['You', bob.displayName, carol.displayName]);
  });

  it('leaves after a confirmation, and the chat disappears', async () => {
    const { api, user, dialog, store } = await openGroupInfo();
    await user.click(within(dialog).getByRole('button', { name: 'Leave group' }));
    expect(api.callsOf('leave')).toEqual([]);
    // Cancel goes back; asking again then confirming leaves.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Leave group' }));
    await user.click(within(dialog).getByRole('button', { name: 'Leave group' }));
    await user.click(within(dialog).getByRole('button', { name: 'Leave' }));

    expect(api.callsOf('leave')).toEqual([[hikers.id]]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(store.getState().openId).toBeNull();
    expect(store.getState().conversations.has(hikers.id)).toBe(false);
    const list = screen.getByRole('list', { name: 'Conversations' });
    expect(within(list).queryByRole('button', { name: /^Hikers/ })).toBeNull();
    expect(within(list).getByRole('button', { name: new RegExp(`^${carol.displayName}`) })).toBeTruthy();
  });

  it('shows a failed call in role="alert" and keeps the dialog open', async () => {
    const { api, user, dialog, store } = await openGroupInfo();
    api.failNext.add('leave');
    await user.click(within(dialog).getByRole('button', { name: 'Leave group' }));
    await user.click(within(dialog).getByRole('button', { name: 'Leave' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Could not leave the group. Check your connection and try again.');
    expect(store.getState().conversations.has(hikers.id)).toBe(true);

    api.failNext.add('rename');
    await user.click(within(dialog).getByRole('button', { name: 'Rename' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Could not rename the group. Check your connection and try again.');
    expect(screen.getByRole('dialog', { name: 'Group info' })).toBe(dialog);
  });

  it('closes with Esc, returning focus to the Group info button', async () => {
    const { dialog, opener } = await openGroupInfo();
    // jsdom does not turn Esc into the dialog's cancel event as browsers do.
    dialog.dispatchEvent(new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it('closes when the group is removed by the engine (the user was removed elsewhere)', async () => {
    const { api, store } = await openGroupInfo();
    act(() => api.emit({ type: 'conversation-removed', id: hikers.id }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(store.getState().openId).toBeNull();
  });

  it('is not offered in a direct chat', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, carol));
    const { store } = await renderApp(api);
    store.getState().actions.openConversation(`d-${carol.id}`);
    await screen.findByRole('heading', { name: carol.displayName });
    expect(screen.queryByRole('button', { name: 'Group info' })).toBeNull();
  });
});
