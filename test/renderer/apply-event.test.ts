// applyEvent alone: the state after each kind of engine event, with no store,
// no API and no timers.
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../src/renderer/store/applyEvent.ts';
import { accountData, type ChatData } from '../../src/renderer/store/chatState.ts';
import { MessageWindow } from '../../src/renderer/store/messageWindow.ts';
import { alice, bob, carol, makeDirect, makeGroup, makeMessage, online } from './fake-api.ts';

function state(fields: Partial<ChatData> = {}): ChatData {
  return {
    isDesktop: false,
    desktopInfo: null,
    desktopSettings: null,
    webNotifications: null,
    updatesApplyBy: null,
    update: null,
    updateDismissed: false,
    auth: 'signed-in',
    account: { user: alice, relayUrl: 'https://relay.test', relayUrls: ['https://relay.test'] },
    status: online,
    ...accountData(),
    ...fields,
  };
}

describe('applyEvent', () => {
  it('upserts a conversation, leaving the input untouched', () => {
    const before = state();
    const direct = makeDirect(alice, bob);
    const changes = applyEvent(before, { type: 'conversation', conversation: direct });
    expect(changes?.conversations?.get(direct.id)).toEqual(direct);
    expect(before.conversations.size).toBe(0);
  });

  it('removes a conversation with everything shown about it', () => {
    const group = makeGroup('g1', 'Hikers', [alice, bob, carol]);
    const other = makeDirect(alice, bob);
    const before = state({
      conversations: new Map([
        [group.id, group],
        [other.id, other],
      ]),
      windows: new Map([[group.id, new MessageWindow()]]),
      typing: new Map([[group.id, [bob.id]]]),
      openId: group.id,
      dialog: 'group-info',
      unreadMarker: { conv: group.id, afterSeq: 1, count: 2 },
    });
    expect(applyEvent(before, { type: 'conversation-removed', id: group.id })).toEqual({
      conversations: new Map([[other.id, other]]),
      windows: new Map(),
      typing: new Map(),
      openId: null,
      dialog: null,
      unreadMarker: null,
    });
  });

  it('sets and clears the typing users exactly as reported', () => {
    const typing = applyEvent(state(), { type: 'typing', conv: 'c1', users: [bob.id] })?.typing;
    expect(typing).toEqual(new Map([['c1', [bob.id]]]));
    expect(applyEvent(state({ typing: typing! }), { type: 'typing', conv: 'c1', users: [] })?.typing).toEqual(new Map());
  });

  it('takes status and presence as they come', () => {
    const status = { ...online, state: 'offline' as const };
    expect(applyEvent(state(), { type: 'status', status })).toEqual({ status });
    const presence = { user: bob.id, online: true };
    expect(applyEvent(state(), { type: 'presence', presence })?.presence).toEqual(new Map([[bob.id, presence]]));
  });

  it('applies messages to a loaded window and reports a change only when there is one', () => {
    const window = new MessageWindow();
    window.addFirstPage({ messages: [], hasMoreLocal: false });
    const before = state({ windows: new Map([['c1', window]]) });
    const message = makeMessage({ conv: 'c1' });
    expect(applyEvent(before, { type: 'messages', conv: 'c1', messages: [message] })).toEqual({ windows: before.windows });
    expect(window.at(0)).toEqual(message);
    expect(applyEvent(before, { type: 'messages', conv: 'elsewhere', messages: [message] })).toBeNull();
    expect(applyEvent(before, { type: 'message-removed', conv: 'c1', cid: 'unknown' })).toBeNull();
    expect(applyEvent(before, { type: 'message-removed', conv: 'c1', cid: message.cid })).toEqual({ windows: before.windows });
    expect(window.size).toBe(0);
  });
});
