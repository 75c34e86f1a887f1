// @vitest-environment jsdom
import './setup-dom.ts';
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDuplexApi, alice, bob, carol, makeDirect } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const direct = makeDirect(alice, bob);

async function openComposer(draft = '') {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation({ ...direct, draft });
  api.addConversation(makeDirect(alice, carol, { lastActivity: 0 }));
  const rendered = await renderApp(api);
  await rendered.user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
  const input = screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' });
  return { ...rendered, api, input };
}

describe('composer', () => {
  it('is focused when the conversation opens, and sends with Enter', async () => {
    const { api, user, input } = await openComposer();
    expect(document.activeElement).toBe(input);
    await user.keyboard('  Hello there  {Enter}');
    expect(api.callsOf('send')).toEqual([[direct.id, 'Hello there', undefined]]);
    expect(input.value).toBe('');
  });

  it('adds a line with Shift+Enter and sends both lines', async () => {
    const { api, user, input } = await openComposer();
    await user.keyboard('first{Shift>}{Enter}{/Shift}second');
    expect(input.value).toBe('first\nsecond');
    expect(api.callsOf('send')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(api.callsOf('send')).toEqual([[direct.id, 'first\nsecond', undefined]]);
  });

  it('does not send blank text', async () => {
    const { api, user } = await openComposer();
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    await user.keyboard('   {Enter}');
    expect(api.callsOf('send')).toEqual([]);
  });

  it('reports typing while there is text', async () => {
    const { api, user } = await openComposer();
    await user.keyboard('a{Backspace}');
    expect(api.callsOf('setTyping')).toEqual([
      [direct.id, true],
      [direct.id, false],
    ]);
  });

  it('starts from the saved draft and saves the draft after a pause and on leaving', async () => {
    const { api, user, input } = await openComposer('half a thought');
    expect(input.value).toBe('half a thought');

    await user.keyboard(' more');
    await waitFor(() => expect(api.callsOf('setDraft')).toContainEqual([direct.id, 'half a thought more']));

    await user.keyboard('!');
    await user.click(screen.getByRole('button', { name: /^Carol Danvers/ }));
    expect(api.callsOf('setDraft').at(-1)).toEqual([direct.id, 'half a thought more!']);

    await user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
    expect(screen.getByRole<HTMLTextAreaElement>('textbox', { name: 'Message' }).value).toBe('half a thought more!');
  });

  it('clears the saved draft once the message is sent', async () => {
    const { api, user } = await openComposer('ready');
    await user.keyboard('{Enter}');
    expect(api.callsOf('send')).toEqual([[direct.id, 'ready', undefined]]);
    expect(api.callsOf('setDraft').at(-1)).toEqual([direct.id, '']);
  });
});
