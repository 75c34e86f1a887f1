// @vitest-environment jsdom
import './setup-dom.ts';
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

/** The chats' own buttons (each row also has its `Chat actions` button). */
function conversationButtons(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Conversations' }))
    .getAllByRole('button')
    .filter((button) => button.hasAttribute('data-conversation-id'));
}

describe('conversation list', () => {
  it('is present, and empty, before there are chats', async () => {
    await renderApp(FakeDuplexApi.signedInAs(alice));
    expect(within(screen.getByRole('list', { name: 'Conversations' })).queryAllByRole('button')).toEqual([]);
    expect(screen.getByText(/No chats yet/)).toBeTruthy();
  });

  it('names each entry by its title first and carries the unread count, most recent first', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { lastActivity: 1_000, unread: 0 }));
    api.addConversation(
      makeGroup('g1', 'Hikers', [alice, bob, carol], {
        lastActivity: 2_000,
        unread: 4,
        lastMessage: makeMessage({ conv: 'g1', from: carol.id, body: 'Trailhead at 8' }),
      }),
    );
    await renderApp(api);

    const [group, direct] = conversationButtons();
    expect(group!.getAttribute('data-unread')).toBe('4');
    expect(direct!.getAttribute('data-unread')).toBe('0');
    expect(screen.getByRole('button', { name: /^Hikers/ })).toBe(group);
    expect(screen.getByRole('button', { name: /^Bob Marley/ })).toBe(direct);
    expect(group!.textContent).toContain('Carol Danvers: Trailhead at 8');
  });

  it('moves a conversation to the top when it has new activity', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { lastActivity: 2_000 }));
    api.addConversation(makeDirect(alice, carol, { lastActivity: 1_000 }));
    await renderApp(api);
    expect(conversationButtons().map((b) => b.getAttribute('data-conversation-id'))).toEqual([`d-${bob.id}`, `d-${carol.id}`]);

    act(() => api.emit({ type: 'conversation', conversation: makeDirect(alice, carol, { lastActivity: 3_000, unread: 1 }) }));
    const [first] = conversationButtons();
    expect(first!.getAttribute('data-conversation-id')).toBe(`d-${carol.id}`);
    expect(first!.getAttribute('data-unread')).toBe('1');
  });

  it('filters by title and opens a chat on click', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob));
    api.addConversation(makeDirect(alice, carol));
    const { user, store } = await renderApp(api);

    await user.type(screen.getByRole('searchbox', { name: 'Search chats and messages' }), 'car');
    expect(conversationButtons()).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: /^Carol Danvers/ }));
    expect(store.getState().openId).toBe(`d-${carol.id}`);
    expect(screen.getByRole('button', { name: /^Carol Danvers/ }).getAttribute('aria-current')).toBe('true');
  });

  it('is one Tab stop, moved through with the arrow keys', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { lastActivity: 2 }));
    api.addConversation(makeDirect(alice, carol, { lastActivity: 1 }));
    const { user } = await renderApp(api);
    const [first, second] = conversationButtons();
    expect([first!.tabIndex, second!.tabIndex]).toEqual([0, -1]);

    first!.focus();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(conversationButtons()[1]);
    await user.keyboard('{Home}');
    expect(document.activeElement).toBe(conversationButtons()[0]);
  });

  it('shows a waiting draft instead of the last message', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.addConversation(makeDirect(alice, bob, { draft: 'see you', lastMessage: makeMessage({ conv: `d-${bob.id}`, body: 'older' }) }));
    await renderApp(api);
    expect(conversationButtons()[0]!.textContent).toContain('Draft: see you');
  });
});
