// @vitest-environment jsdom
// The message menu and what it changes (docs/ui.md, "Message actions"),
// against the fake DuplexApi, which applies changes as the engine shows them.
import './setup-dom.ts';
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/shared/api.ts';
import { FakeDuplexApi, alice, bob, makeDirect, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const direct = makeDirect(alice, bob);

async function openWith(messages: ChatMessage[]) {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation(direct, messages);
  const rendered = await renderApp(api);
  await rendered.user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
  const log = await screen.findByRole('log', { name: 'Messages' });
  const element = (cid: string) => log.querySelector<HTMLElement>(`[data-cid="${cid}"]`)!;
  return { ...rendered, api, log, element };
}

const theirs = makeMessage({ conv: direct.id, seq: 1, from: bob.id, body: 'Lunch at noon?' });
const mine = makeMessage({ conv: direct.id, seq: 2, from: alice.id, mine: true, status: 'read', body: 'Yes!', ts: Date.now() });

describe('message actions', () => {
  it('offers what applies: no Edit or Delete on another person’s message', async () => {
    const { user, element } = await openWith([theirs, mine]);
    await user.click(within(element(theirs.cid)).getByRole('button', { name: 'Message actions' }));
    const menu = screen.getByRole('menu', { name: 'Message actions' });
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent)).toEqual(['Reply', 'React', 'Forward', 'Copy']);
    // The keyboard moves through it, and Escape closes it.
    expect(document.activeElement?.textContent).toBe('Reply');
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toBe('React');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();

    await user.pointer({ keys: '[MouseRight]', target: element(mine.cid).querySelector('.bubble__body')! });
    expect(within(screen.getByRole('menu')).getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Reply',
      'React',
      'Edit',
      'Delete for everyone',
      'Forward',
      'Copy',
    ]);
  });

  it('reacts with a quick reaction, shows the count under the bubble, and toggles it off', async () => {
    const { api, user, element } = await openWith([{ ...theirs, reactions: { [bob.id]: '👍' } }, mine]);
    expect(within(element(theirs.cid)).getByRole('button', { name: '👍 1' })).toBeTruthy();
    await user.click(within(element(theirs.cid)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'React' }));
    await user.click(screen.getByRole('button', { name: 'React with 👍' }));
    expect(api.callsOf('react')).toEqual([[direct.id, { cid: theirs.cid, seq: 1 }, '👍']]);
    const both = within(element(theirs.cid)).getByRole('button', { name: '👍 2' });
    expect(both.getAttribute('aria-pressed')).toBe('true');
    // Pressing the count takes the user's own back.
    await user.click(both);
    expect(api.callsOf('react').at(-1)).toEqual([direct.id, { cid: theirs.cid, seq: 1 }, '']);
    expect(within(element(theirs.cid)).getByRole('button', { name: '👍 1' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('edits the last own message with Up, saves with Enter, and marks it edited', async () => {
    const { api, user, element } = await openWith([theirs, mine]);
    const field = screen.getByRole('textbox', { name: 'Message' });
    await user.type(field, '{ArrowUp}');
    expect(screen.getByText('Editing message')).toBeTruthy();
    expect((field as HTMLTextAreaElement).value).toBe('Yes!');
    await user.clear(field);
    await user.type(field, 'Yes, at noon!{Enter}');
    expect(api.callsOf('edit')).toEqual([[direct.id, { cid: mine.cid, seq: 2 }, 'Yes, at noon!']]);
    expect(screen.queryByText('Editing message')).toBeNull();
    expect(element(mine.cid).dataset.edited).toBe('true');
    expect(within(element(mine.cid)).getByText('edited')).toBeTruthy();
    expect((field as HTMLTextAreaElement).value).toBe('');
  });

  it('cancels an edit with Escape or Cancel, giving the draft back', async () => {
    const { api, user } = await openWith([theirs, mine]);
    const field = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.click(within(screen.getByRole('log')).getAllByRole('button', { name: 'Message actions' })[1]!);
    await user.click(screen.getByRole('menuitem', { name: 'Edit' }));
    expect(field.value).toBe('Yes!');
    await user.keyboard('{Escape}');
    expect(screen.queryByText('Editing message')).toBeNull();
    await user.type(field, 'half a thought');
    await user.click(within(screen.getByRole('log')).getAllByRole('button', { name: 'Message actions' })[1]!);
    await user.click(screen.getByRole('menuitem', { name: 'Edit' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(field.value).toBe('half a thought');
    expect(api.callsOf('edit')).toEqual([]);
  });

  it('deletes for everyone only after confirming', async () => {
    const { api, user, element } = await openWith([theirs, mine]);
    await user.click(within(element(mine.cid)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete for everyone' }));
    await user.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(api.callsOf('deleteForEveryone')).toEqual([]);
    await user.click(within(element(mine.cid)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete for everyone' }));
    await user.click(screen.getByRole('button', { name: 'Delete for everyone' }));
    expect(api.callsOf('deleteForEveryone')).toEqual([[direct.id, { cid: mine.cid, seq: 2 }]]);
    expect(element(mine.cid).dataset.deleted).toBe('true');
    expect(within(element(mine.cid)).getByText('This message was deleted')).toBeTruthy();
    // The list's preview shows the latest state too, as the engine reports it.
    const { body: _body, ...rest } = mine;
    act(() => api.emit({ type: 'conversation', conversation: { ...direct, lastMessage: { ...rest, body: '', deleted: true } } }));
    expect(screen.getByRole('button', { name: /^Bob Marley/ }).textContent).toContain('This message was deleted');
    act(() => api.emit({ type: 'conversation', conversation: { ...direct, lastMessage: { ...mine, editedAt: Date.now() } } }));
    expect(screen.getByRole('button', { name: /^Bob Marley/ }).textContent).toContain('✏️ Yes!');
    act(() =>
      api.emit({
        type: 'conversation',
        conversation: { ...direct, lastMessage: mine, lastReaction: { from: bob.id, emoji: '😂', body: 'Yes!', seq: 3 } },
      }),
    );
    expect(screen.getByRole('button', { name: /^Bob Marley/ }).textContent).toContain('Bob Marley reacted 😂 to “Yes!”');
  });

  it('forwards to a chosen conversation, where it is marked Forwarded', async () => {
    const { api, user, element } = await openWith([theirs, mine]);
    const other = makeDirect(alice, { id: 'u_carol', username: 'carol', displayName: 'Carol' });
    act(() => {
      api.addConversation(other, []);
      api.emit({ type: 'conversation', conversation: other });
    });
    await user.click(within(element(theirs.cid)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Forward' }));
    const dialog = screen.getByRole('dialog', { name: 'Forward message' });
    await user.click(within(dialog).getByRole('button', { name: 'Carol' }));
    expect(api.callsOf('forward')).toEqual([[other.id, direct.id, 1]]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows a reply’s quote and a forwarded message’s label', async () => {
    const reply = makeMessage({ conv: direct.id, seq: 3, from: bob.id, body: 'Great', replyTo: 2, forwarded: true });
    const { element } = await openWith([theirs, mine, reply]);
    expect(within(element(reply.cid)).getByText('Forwarded')).toBeTruthy();
    expect(within(element(reply.cid)).getByRole('button', { name: 'Go to the quoted message from You: Yes!' })).toBeTruthy();
  });
});
