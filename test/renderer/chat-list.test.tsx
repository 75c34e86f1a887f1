// @vitest-environment jsdom
// Pin, archive and mute in the chat list (docs/ui.md, "Chat list"), over the
// fake DuplexApi: the menus and names of the UI contract, the order, and the
// calls that carry each change to the engine.
import './setup-dom.ts';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MUTED_FOREVER as RENDERER_MUTED_FOREVER, muteUntil } from '../../src/renderer/format/mute.ts';
import { MUTED_FOREVER } from '../../src/shared/protocol/index.ts';
import type { User } from '../../src/shared/protocol/index.ts';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const dave: User = { id: 'u-dave', username: 'dave', displayName: 'Dave Lister' };

const list = () => screen.getByRole('list', { name: 'Conversations' });
const titlesInOrder = () =>
  within(list())
    .queryAllByRole('button')
    .filter((button) => button.hasAttribute('data-conversation-id'))
    .map((button) => button.querySelector('.conversation-item__title')?.textContent);

/** Opens a chat's `Chat actions` menu and returns its items' names. */
async function openChatActions(user: Awaited<ReturnType<typeof renderApp>>['user'], title: string): Promise<string[]> {
  const row = screen.getByRole('button', { name: new RegExp(`^${title}`) }).closest('li')!;
  await user.click(within(row).getByRole('button', { name: 'Chat actions' }));
  const menu = within(row).getByRole('menu', { name: 'Chat actions' });
  return within(menu)
    .getAllByRole('menuitem')
    .map((item) => item.textContent ?? '');
}

function setUp() {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(makeDirect(alice, bob, { lastActivity: 3_000 }));
  api.addConversation(makeDirect(alice, carol, { lastActivity: 2_000 }));
  api.addConversation(makeGroup('g1', 'Hikers', [alice, bob, dave], { lastActivity: 1_000 }));
  return api;
}

describe('chat list: pin, archive, mute', () => {
  it('lists pinned chats first, marked with data-pinned, then by activity', async () => {
    const api = setUp();
    api.addConversation(makeGroup('g2', 'Pinned old', [alice, dave], { lastActivity: 10, chatState: { pinned: true, archived: false, mutedUntil: null } }));
    await renderApp(api);
    expect(titlesInOrder()).toEqual(['Pinned old', 'Bob Marley', 'Carol Danvers', 'Hikers']);
    expect(screen.getByRole('button', { name: /^Pinned old.*pinned/ }).getAttribute('data-pinned')).toBe('true');
    expect(screen.getByRole('button', { name: /^Hikers/ }).getAttribute('data-pinned')).toBe('false');
  });

  it('pins and unpins from the chat menu', async () => {
    const api = setUp();
    const { user } = await renderApp(api);
    expect(await openChatActions(user, 'Hikers')).toEqual(['Pin chat', 'Archive chat', 'Mute notifications']);
    await user.click(screen.getByRole('menuitem', { name: 'Pin chat' }));
    expect(api.callsOf('setChatState')).toEqual([['g1', { pinned: true }]]);
    await waitFor(() => expect(titlesInOrder()[0]).toBe('Hikers'));
    expect(screen.queryByRole('menu')).toBeNull();

    expect(await openChatActions(user, 'Hikers')).toContain('Unpin chat');
    await user.click(screen.getByRole('menuitem', { name: 'Unpin chat' }));
    await waitFor(() => expect(titlesInOrder().at(-1)).toBe('Hikers'));
  });

  it('archives a chat behind the Archived entry, which shows the archived chats, and unarchives it', async () => {
    const api = setUp();
    const { user } = await renderApp(api);
    expect(screen.queryByRole('button', { name: 'Archived' })).toBeNull();
    await openChatActions(user, 'Carol Danvers');
    await user.click(screen.getByRole('menuitem', { name: 'Archive chat' }));
    // Archiving unpins, as in WhatsApp.
    expect(api.callsOf('setChatState')).toEqual([[`d-${carol.id}`, { archived: true, pinned: false }]]);
    await waitFor(() => expect(titlesInOrder()).toEqual(['Bob Marley', 'Hikers']));

    const archived = screen.getByRole('button', { name: 'Archived', pressed: false });
    await user.click(archived);
    expect(titlesInOrder()).toEqual(['Carol Danvers']);
    expect(archived.getAttribute('aria-pressed')).toBe('true');
    expect(await openChatActions(user, 'Carol Danvers')).toEqual(['Unarchive chat', 'Mute notifications']);
    await user.click(screen.getByRole('menuitem', { name: 'Unarchive chat' }));
    await waitFor(() => expect(titlesInOrder()).toEqual([]));
    expect(screen.getByText('No archived chats.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Archived' }));
    expect(titlesInOrder()).toEqual(['Bob Marley', 'Carol Danvers', 'Hikers']);
    expect(screen.queryByRole('button', { name: 'Archived' })).toBeNull();
  });

  it('mutes for 8 hours, 1 week or always from the chat menu, marks the chat, and unmutes', async () => {
    const api = setUp();
    const { user } = await renderApp(api);
    await openChatActions(user, 'Bob Marley');
    await user.click(screen.getByRole('menuitem', { name: 'Mute notifications' }));
    const dialog = screen.getByRole('dialog', { name: 'Mute Bob Marley' });
    expect(within(dialog).getByRole<HTMLInputElement>('radio', { name: '8 hours' }).checked).toBe(true);
    await user.click(within(dialog).getByRole('radio', { name: '1 week' }));
    const before = Date.now();
    await user.click(within(dialog).getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    const [[conv, change]] = api.callsOf('setChatState') as [[string, { mutedUntil: number }]];
    expect(conv).toBe(`d-${bob.id}`);
    expect(change.mutedUntil).toBeGreaterThanOrEqual(before + 7 * 24 * 3_600_000);
    expect(change.mutedUntil).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3_600_000);
    expect(screen.getByRole('button', { name: /^Bob Marley.*muted/ })).toBeTruthy();

    expect(await openChatActions(user, 'Bob Marley')).toContain('Unmute notifications');
    await user.click(screen.getByRole('menuitem', { name: 'Unmute notifications' }));
    expect(api.callsOf('setChatState').at(-1)).toEqual([`d-${bob.id}`, { mutedUntil: null }]);
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Bob Marley.*muted/ })).toBeNull());
  });

  it('shows a mute the engine refuses in the dialog, which stays open', async () => {
    const api = setUp();
    const { user } = await renderApp(api);
    await openChatActions(user, 'Hikers');
    await user.click(screen.getByRole('menuitem', { name: 'Mute notifications' }));
    api.failNext.add('setChatState');
    const dialog = screen.getByRole('dialog', { name: 'Mute Hikers' });
    await user.click(within(dialog).getByRole('button', { name: 'Mute' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('setChatState failed');
  });

  it('offers no pin for an archived chat and lets the menu be used from the keyboard', async () => {
    const api = setUp();
    const { user } = await renderApp(api);
    const row = screen.getByRole('button', { name: /^Hikers/ }).closest('li')!;
    within(row).getByRole('button', { name: 'Chat actions' }).focus();
    await user.keyboard('{Enter}');
    const items = within(row).getAllByRole('menuitem');
    expect(document.activeElement).toBe(items[0]);
    // Arrows stay in the menu; they do not move the list's focus to another chat.
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(items[1]);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(within(row).getByRole('button', { name: 'Chat actions' }));
  });
});

describe('mute durations', () => {
  it('are 8 hours, 1 week, and always as the protocol spells it', () => {
    expect(muteUntil('8h', 1_000)).toBe(1_000 + 8 * 3_600_000);
    expect(muteUntil('1w', 1_000)).toBe(1_000 + 7 * 24 * 3_600_000);
    expect(muteUntil('always', 1_000)).toBe(MUTED_FOREVER);
    expect(RENDERER_MUTED_FOREVER).toBe(MUTED_FOREVER);
  });
});
