// @vitest-environment jsdom
import './setup-dom.ts';
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, MessageStatus } from '../../src/shared/api.ts';
import { FakeDuplexApi, alice, bob, makeDirect, makeMessage } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

const direct = makeDirect(alice, bob);

async function openWith(messages: ChatMessage[], fields: Parameters<typeof makeDirect>[2] = {}) {
  const api = FakeDuplexApi.signedInAs(alice);
  api.addConversation({ ...direct, ...fields }, messages);
  const rendered = await renderApp(api);
  await rendered.user.click(screen.getByRole('button', { name: /^Bob Marley/ }));
  const log = await screen.findByRole('log', { name: 'Messages' });
  return { ...rendered, api, log };
}

function messageElements(log: HTMLElement): HTMLElement[] {
  return [...log.querySelectorAll<HTMLElement>('[data-cid]')];
}

describe('message list', () => {
  // In conversation order: stored messages first, then the outbox.
  const statuses: MessageStatus[] = ['sent', 'delivered', 'read', 'queued', 'failed'];

  it('renders each message once with its data attributes and status mark', async () => {
    const theirs = makeMessage({ conv: direct.id, seq: 1, from: bob.id, body: 'hello' });
    const mine = statuses.map((status, i) =>
      makeMessage({ conv: direct.id, seq: status === 'queued' || status === 'failed' ? null : i + 2, from: alice.id, mine: true, status, body: status }),
    );
    const { log } = await openWith([theirs, ...mine]);

    const elements = messageElements(log);
    expect(elements.map((e) => e.dataset.cid)).toEqual([theirs, ...mine].map((m) => m.cid));
    expect(new Set(elements.map((e) => e.dataset.cid)).size).toBe(elements.length);

    expect(elements[0]!.dataset).toMatchObject({ seq: '1', mine: 'false' });
    expect(elements[0]!.hasAttribute('data-status')).toBe(false);
    for (const [i, status] of statuses.entries()) {
      const element = elements[i + 1]!;
      expect(element.dataset.mine).toBe('true');
      expect(element.dataset.status).toBe(status);
      expect(element.hasAttribute('data-seq')).toBe(mine[i]!.seq !== null);
      const label = status[0]!.toUpperCase() + status.slice(1);
      expect(within(element).getByRole('img', { name: label })).toBeTruthy();
    }
  });

  it('updates a message in place when its status changes', async () => {
    const queued = makeMessage({ conv: direct.id, seq: null, from: alice.id, mine: true, status: 'queued', body: 'on its way' });
    const { api, log } = await openWith([queued]);
    act(() => api.emit({ type: 'messages', conv: direct.id, messages: [{ ...queued, seq: 1, status: 'sent' }] }));
    act(() => api.emit({ type: 'messages', conv: direct.id, messages: [{ ...queued, seq: 1, status: 'read' }] }));
    const elements = messageElements(log);
    expect(elements).toHaveLength(1);
    expect(elements[0]!.dataset).toMatchObject({ cid: queued.cid, seq: '1', status: 'read' });
  });

  it('offers Retry and Delete on a failed message', async () => {
    const failed = makeMessage({ conv: direct.id, seq: null, from: alice.id, mine: true, status: 'failed', error: 'too long' });
    const { api, user, log } = await openWith([failed]);
    const element = messageElements(log)[0]!;
    expect(element.textContent).toContain('Not sent: too long');
    await user.click(within(element).getByRole('button', { name: 'Retry' }));
    await user.click(within(element).getByRole('button', { name: 'Delete' }));
    expect(api.callsOf('retry')).toEqual([[direct.id, failed.cid]]);
    expect(api.callsOf('deleteUnsent')).toEqual([[direct.id, failed.cid]]);
  });

  it('separates days and marks where the unread messages start', async () => {
    const day = 24 * 3_600_000;
    const messages = [
      makeMessage({ conv: direct.id, seq: 1, ts: Date.UTC(2025, 0, 1, 12) }),
      makeMessage({ conv: direct.id, seq: 2, ts: Date.UTC(2025, 0, 1, 13) }),
      makeMessage({ conv: direct.id, seq: 3, ts: Date.UTC(2025, 0, 1, 12) + day }),
    ];
    const { log } = await openWith(messages, { unread: 1, lastSeq: 3, receipts: { [alice.id]: { delivered: 3, read: 2 } } });
    expect(log.querySelectorAll('.date-separator')).toHaveLength(2);
    const divider = within(log).getByText('1 unread message');
    // The divider sits right before the first unread message.
    expect(divider.closest('.message-list__row')!.querySelector('[data-cid]')!.getAttribute('data-seq')).toBe('3');
  });

  it('quotes the message being replied to, and the reply links back to it', async () => {
    const original = makeMessage({ conv: direct.id, seq: 1, body: 'Lunch at noon?' });
    const reply = makeMessage({ conv: direct.id, seq: 2, from: alice.id, mine: true, status: 'read', body: 'Yes!', replyTo: 1 });
    const { api, user, log } = await openWith([original, reply]);

    const replyElement = messageElements(log)[1]!;
    expect(within(replyElement).getByRole('button', { name: 'Go to the quoted message from Bob Marley: Lunch at noon?' })).toBeTruthy();

    await user.click(within(messageElements(log)[0]!).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Reply' }));
    expect(screen.getByText('Replying to Bob Marley')).toBeTruthy();
    await user.keyboard('Sure');
    await user.keyboard('{Enter}');
    expect(api.callsOf('send')).toEqual([[direct.id, 'Sure', 1]]);
    expect(screen.queryByText('Replying to Bob Marley')).toBeNull();
  });

  it('shows typing… in the header only while the other person types', async () => {
    const { api } = await openWith([]);
    expect(screen.queryByText('typing…')).toBeNull();
    act(() => api.emit({ type: 'typing', conv: direct.id, users: [bob.id] }));
    expect(screen.getByText('typing…')).toBeTruthy();
    act(() => api.emit({ type: 'typing', conv: direct.id, users: [] }));
    expect(screen.queryByText('typing…')).toBeNull();
  });

  it('shows the other person online, or when they were last seen', async () => {
    const { api } = await openWith([]);
    act(() => api.emit({ type: 'presence', presence: { user: bob.id, online: true } }));
    expect(screen.getByText('online')).toBeTruthy();
    act(() => api.emit({ type: 'presence', presence: { user: bob.id, online: false, lastSeen: Date.now() } }));
    expect(screen.getByText(/^last seen today at /)).toBeTruthy();
  });

  it('marks the conversation read when it is opened with unread messages', async () => {
    const { api } = await openWith([makeMessage({ conv: direct.id, seq: 1 }), makeMessage({ conv: direct.id, seq: 2 })], { unread: 2, lastSeq: 2 });
    expect(api.callsOf('markRead')).toEqual([[direct.id, 2]]);
  });
});
