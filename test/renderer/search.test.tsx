// @vitest-environment jsdom
// The sidebar's search box: it filters the chats by title and lists the
// messages that match (from DuplexApi.searchMessages) with the matching
// words marked; choosing one opens the chat at that message, highlighted.
import './setup-dom.ts';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

function setUp() {
  const api = FakeDuplexApi.signedInAs(alice);
  const direct = makeDirect(alice, bob);
  const group = makeGroup('g1', 'Hikers', [alice, bob, carol]);
  const old = makeMessage({ conv: direct.id, body: 'Shall we get lunch at the café?' });
  const filler = Array.from({ length: 80 }, (_, i) => makeMessage({ conv: direct.id, body: `filler ${i}` }));
  const inGroup = makeMessage({ conv: group.id, from: carol.id, body: 'Lunch break at the summit' });
  const mine = makeMessage({ conv: group.id, from: alice.id, mine: true, status: 'read', body: 'No lunch for me' });
  api.addConversation(direct, [old, ...filler]);
  api.addConversation(group, [inGroup, mine]);
  return { api, direct, group, old };
}

describe('message search', () => {
  it('lists matching messages, newest first, naming the chat and marking the matches', async () => {
    const { api } = setUp();
    const { user } = await renderApp(api);
    await user.type(screen.getByRole('searchbox', { name: 'Search chats and messages' }), 'LUNCH');

    const results = await screen.findByRole('list', { name: 'Message results' });
    await waitFor(() => expect(within(results).getAllByRole('button')).toHaveLength(3));
    const buttons = within(results).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual([
      expect.stringMatching(/^Hikers.*You: No lunch for me$/),
      expect.stringMatching(/^Hikers.*Carol Danvers: Lunch break at the summit$/),
      expect.stringMatching(/^Bob Marley.*Shall we get lunch at the café\?$/),
    ]);
    expect([...buttons[1]!.querySelectorAll('mark')].map((mark) => mark.textContent)).toEqual(['Lunch']);
    expect(api.callsOf('searchMessages').at(-1)).toEqual(['LUNCH', 50]);

    // The chat list is filtered by title at the same time.
    expect(within(screen.getByRole('list', { name: 'Conversations' })).queryAllByRole('button')).toEqual([]);
  });

  it('says when nothing matches, and hides the results when the box is cleared', async () => {
    const { api } = setUp();
    const { user } = await renderApp(api);
    const box = screen.getByRole('searchbox', { name: 'Search chats and messages' });
    await user.type(box, 'zebra');
    expect(await screen.findByText('No messages found.')).toBeTruthy();
    await user.clear(box);
    expect(screen.queryByRole('list', { name: 'Message results' })).toBeNull();
  });

  it('says when the search fails', async () => {
    const { api } = setUp();
    api.failNext.add('searchMessages');
    const { user } = await renderApp(api);
    await user.type(screen.getByRole('searchbox', { name: 'Search chats and messages' }), 'x');
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not search/);
  });

  it('opens the chat at the chosen message, loading older pages down to it', async () => {
    const { api, direct, old } = setUp();
    const { user, store } = await renderApp(api);
    await user.type(screen.getByRole('searchbox', { name: 'Search chats and messages' }), 'café');
    const results = await screen.findByRole('list', { name: 'Message results' });
    await user.click(await within(results).findByRole('button', { name: /^Bob Marley/ }));

    expect(store.getState().openId).toBe(direct.id);
    // jsdom lays nothing out, so the scrolling and the highlight are checked
    // in Chromium (test/e2e/search.spec.ts); here, that the jump was taken
    // and loaded the older pages down to the message.
    await waitFor(() => expect(store.getState().windows.get(direct.id)?.indexOfSeq(old.seq!)).toBe(0));
    expect(store.getState().jumpTarget).toBeNull();
  });
});
