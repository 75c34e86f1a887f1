// @vitest-environment jsdom
// Message text: http(s) links are clickable, in a new tab without opener or
// referrer, and nothing else becomes a link; mentions (as the engine marks
// them on ChatMessage) are marked, the user's own standing out. The
// composer suggests group members after `@` and inserts the username.
import './setup-dom.ts';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol, makeDirect, makeGroup, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const group = makeGroup('g1', 'Hikers', [alice, bob, carol]);

async function openGroup(messages = [makeMessage({ conv: group.id, body: 'hello' })]) {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(group, messages);
  api.addConversation(makeDirect(alice, bob, { lastActivity: 0 }));
  const rendered = await renderApp(api);
  await rendered.user.click(screen.getByRole('button', { name: /^Hikers/ }));
  const input = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
  return { ...rendered, api, input };
}

describe('links in messages', () => {
  it('makes http(s) addresses links that open in a new tab without opener or referrer', async () => {
    const body = 'Map: https://maps.example/trail?id=4 or hikers.org, not javascript:alert(1) nor ftp://files.example';
    await openGroup([makeMessage({ conv: group.id, body })]);
    const log = screen.getByRole('log', { name: 'Messages' });
    const links = within(log).getAllByRole('link');
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['https://maps.example/trail?id=4', 'https://maps.example/trail?id=4'],
      ['hikers.org', 'http://hikers.org'],
    ]);
    for (const link of links) {
      expect(link.getAttribute('target')).toBe('_blank');
      expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(log.textContent).toContain(body);
  });
});

describe('mentions', () => {
  it('marks mentions, the user’s own standing out', async () => {
    const body = '@alice and @bob: meet at 8 (mail bob@bob.example)';
    const mentions = [
      { start: 0, end: 6, user: alice.id },
      { start: 11, end: 15, user: bob.id },
    ];
    await openGroup([makeMessage({ conv: group.id, from: carol.id, body, mentions })]);
    const log = screen.getByRole('log', { name: 'Messages' });
    const marked = [...log.querySelectorAll('[data-mention]')].map((el) => [el.textContent, el.getAttribute('data-mention')]);
    expect(marked).toEqual([
      ['@alice', 'me'],
      ['@bob', 'other'],
    ]);
    expect(log.textContent).toContain(body);
  });

  it('suggests group members after @, by username or name, and inserts the username', async () => {
    const { user, input, api } = await openGroup();
    await user.keyboard('Ask @');
    const list = screen.getByRole('listbox', { name: 'Mention a member' });
    // Everyone but the user (the avatars' initials are hidden from the names).
    const names = () => within(list).getAllByRole('option').map((o) => o.querySelector('.mention-suggestions__username')!.textContent);
    expect(names()).toEqual(['@bob', '@carol']);
    expect(within(list).getByRole('option', { name: 'Bob Marley@bob' })).toBeTruthy();
    await user.keyboard('dan');
    expect(names()).toEqual(['@carol']);
    expect(input.getAttribute('aria-activedescendant')).toBe(within(list).getByRole('option').id);
    await user.keyboard('{Enter}');
    expect(input.value).toBe('Ask @carol ');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(api.callsOf('send')).toEqual([]);
    await user.keyboard('about it{Enter}');
    expect(api.callsOf('send')).toEqual([[group.id, 'Ask @carol about it', undefined]]);
  });

  it('moves through suggestions with the arrows, closes them with Escape, takes a click', async () => {
    const { user, input } = await openGroup();
    await user.keyboard('@');
    await user.keyboard('{ArrowDown}');
    const options = within(screen.getByRole('listbox', { name: 'Mention a member' })).getAllByRole('option');
    expect(options.map((o) => o.getAttribute('aria-selected'))).toEqual(['false', 'true']);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    await user.keyboard('{Backspace}@b');
    await user.click(screen.getByRole('option', { name: /Bob Marley/ }));
    expect(input.value).toBe('@bob ');
  });

  it('offers no suggestions in a direct chat or after a word character', async () => {
    const { user } = await openGroup();
    await user.keyboard('mail@');
    expect(screen.queryByRole('listbox')).toBeNull();
    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    await user.keyboard('@');
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});
