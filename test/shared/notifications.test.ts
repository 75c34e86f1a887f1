// The notification rules both shells share (src/shared/notifications):
// when a message notifies (someone else's, not muted unless it mentions the
// user, not in front of the user), what it says (no text with "hide message
// text"), and which conversation changes are news.
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ConversationSummary } from '../../src/shared/api.ts';
import { MessageAlerts, type Notifier } from '../../src/shared/notifications/message-alerts.ts';
import {
  notificationContent,
  shouldNotify,
  type NotificationContext,
  type NotificationView,
} from '../../src/shared/notifications/notification-rules.ts';

const alice = { id: 'u_alice', username: 'alice', displayName: 'Alice' };
const bob = { id: 'u_bob', username: 'bob', displayName: 'Bob' };
const me = { id: 'u_me', username: 'me', displayName: 'Me' };

function message(fields: Partial<ChatMessage> = {}): ChatMessage {
  return { conv: 'c_1', cid: 'cid_00000001', seq: 1, from: alice.id, body: 'Hello there', ts: 1, mine: false, ...fields };
}

function conversation(fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: 'c_1',
    kind: 'direct',
    title: 'Alice',
    peerId: alice.id,
    photo: null,
    members: [me, alice],
    lastSeq: 1,
    receipts: {},
    unread: 1,
    lastMessage: message(),
    lastActivity: 1,
    draft: '',
    hasMoreHistory: false,
    chatState: { pinned: false, archived: false, mutedUntil: null },
    ...fields,
  };
}

const quiet = { notificationsMuted: false, hideMessageText: false };
const away: NotificationContext = { windowFocused: false, openConversation: null, settings: quiet, now: 1_000_000, me: me.id };

/** Muted for as long as `away` cares. */
const mutedState = { pinned: false, archived: false, mutedUntil: away.now + 1 };

describe('which messages notify', () => {
  it('notifies a message from someone else while the window is not focused', () => {
    expect(shouldNotify(message(), conversation(), away)).toBe(true);
    expect(shouldNotify(message(), conversation(), { ...away, openConversation: 'c_1' })).toBe(true);
  });

  it("never notifies the user's own messages", () => {
    expect(shouldNotify(message({ mine: true, from: me.id }), conversation(), away)).toBe(false);
  });

  it('notifies when the focused window shows another conversation, not this one', () => {
    expect(shouldNotify(message(), conversation(), { ...away, windowFocused: true, openConversation: 'c_2' })).toBe(true);
    expect(shouldNotify(message(), conversation(), { ...away, windowFocused: true, openConversation: null })).toBe(true);
    expect(shouldNotify(message(), conversation(), { ...away, windowFocused: true, openConversation: 'c_1' })).toBe(false);
  });

  it("respects the global mute and the conversation's chat state while its mute lasts", () => {
    expect(shouldNotify(message(), conversation(), { ...away, settings: { ...quiet, notificationsMuted: true } })).toBe(false);
    expect(shouldNotify(message(), conversation({ chatState: mutedState }), away)).toBe(false);
    // A mute that has ended, and one of a conversation not known yet, do not hold it back.
    expect(shouldNotify(message(), conversation({ chatState: mutedState }), { ...away, now: away.now + 1 })).toBe(true);
    expect(shouldNotify(message(), undefined, away)).toBe(true);
  });

  it('lets a mention of the user through a muted conversation, not through the global mute', () => {
    const mentioning = message({ mentions: [{ start: 0, end: 3, user: me.id }] });
    const mentioningSomeoneElse = message({ mentions: [{ start: 0, end: 4, user: bob.id }] });
    const muted = conversation({ chatState: mutedState });
    expect(shouldNotify(mentioning, muted, away)).toBe(true);
    expect(shouldNotify(mentioningSomeoneElse, muted, away)).toBe(false);
    expect(shouldNotify(mentioning, muted, { ...away, me: null })).toBe(false);
    expect(shouldNotify(mentioning, muted, { ...away, settings: { ...quiet, notificationsMuted: true } })).toBe(false);
    expect(shouldNotify(mentioning, muted, { ...away, windowFocused: true, openConversation: 'c_1' })).toBe(false);
  });
});

describe('what a notification says', () => {
  const group = conversation({ id: 'g_1', kind: 'group', title: 'Team', peerId: null, members: [me, alice, bob] });

  it('shows the sender and the text of a direct message', () => {
    expect(notificationContent(message(), conversation(), false)).toEqual({ title: 'Alice', body: 'Hello there' });
  });

  it('shows the group, the sender and the text of a group message', () => {
    expect(notificationContent(message({ conv: 'g_1', from: bob.id }), group, false)).toEqual({
      title: 'Team',
      body: 'Bob: Hello there',
    });
  });

  it('hides the text when the privacy setting is on', () => {
    expect(notificationContent(message(), conversation(), true)).toEqual({ title: 'Alice', body: 'New message' });
    expect(notificationContent(message({ conv: 'g_1', from: bob.id }), group, true)).toEqual({
      title: 'Team',
      body: 'New message from Bob',
    });
    expect(notificationContent(message(), undefined, true)).toEqual({ title: 'Duplex', body: 'New message' });
  });

  it('says what kind of file a message carries, then its caption; hidden text hides the file too', () => {
    // A photo comes with the dimensions its sender's device found.
    const file = (mime: string, name: string) => ({ id: 'A'.repeat(24), mime, name, size: 10, ...(mime.startsWith('image/') ? { width: 4, height: 3 } : {}) });
    const say = (fields: Partial<ChatMessage>, hide = false) => notificationContent(message(fields), conversation(), hide).body;
    expect(say({ body: '', file: file('image/jpeg', 'IMG_1.jpg') })).toBe('📷 Photo');
    expect(say({ body: 'At the beach', file: file('image/jpeg', 'IMG_1.jpg') })).toBe('📷 Photo At the beach');
    expect(say({ body: '', file: file('audio/webm', 'Voice message.webm') })).toBe('🎤 Voice message');
    expect(say({ body: '', file: file('application/pdf', 'Minutes.pdf') })).toBe('📄 Minutes.pdf');
    expect(say({ body: '', file: file('image/svg+xml', 'logo.svg') })).toBe('📄 logo.svg');
    expect(say({ body: '', file: file('image/jpeg', 'IMG_1.jpg') }, true)).toBe('New message');
  });

  it('cuts long messages', () => {
    const { body } = notificationContent(message({ body: '😀'.repeat(500) }), conversation(), false);
    expect([...body]).toHaveLength(200);
    expect(body.endsWith('…')).toBe(true);
  });
});

describe('message alerts', () => {
  function alerts(context: Partial<NotificationView> = {}) {
    const notifier: Notifier & { notified: Array<[string, unknown]>; dismissed: string[] } = {
      notified: [],
      dismissed: [],
      notify(conv, content) {
        this.notified.push([conv, content]);
      },
      dismiss(conv) {
        this.dismissed.push(conv);
      },
    };
    const subject = new MessageAlerts({ notifier, context: () => ({ ...away, ...context }) });
    return { subject, notifier };
  }

  function changed(fields: Partial<ConversationSummary>) {
    return { type: 'conversation' as const, conversation: conversation(fields) };
  }

  it('notifies the newest message of a conversation with news', () => {
    const { subject, notifier } = alerts();
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 5, body: 'news' }) }));
    expect(notifier.notified).toEqual([['c_1', { title: 'Alice', body: 'news' }]]);
  });

  it('notifies once per message, however often the conversation changes', () => {
    const { subject, notifier } = alerts();
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 5 }) }));
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 5 }), draft: 'typing a reply' }));
    subject.handle(changed({ unread: 2, lastMessage: message({ seq: 6 }) }));
    expect(notifier.notified).toHaveLength(2);
  });

  it('stays quiet about messages already stored at start-up', () => {
    const { subject, notifier } = alerts();
    subject.alreadySeen([conversation({ lastMessage: message({ seq: 5 }) })]);
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 5 }) }));
    expect(notifier.notified).toEqual([]);
    subject.handle(changed({ unread: 2, lastMessage: message({ seq: 6 }) }));
    expect(notifier.notified).toHaveLength(1);
  });

  it('stays quiet about read history, own messages and messages not yet stored', () => {
    const { subject, notifier } = alerts();
    subject.handle(changed({ unread: 0, lastMessage: message({ seq: 9 }) }));
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 10, mine: true, from: me.id }) }));
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: null, mine: true, from: me.id }) }));
    subject.handle(changed({ unread: 1, lastMessage: null }));
    expect(notifier.notified).toEqual([]);
  });

  it('follows the rules: muted conversations stay quiet, hidden text stays hidden', () => {
    const muted = alerts();
    muted.subject.handle(changed({ unread: 1, lastMessage: message({ seq: 3 }), chatState: mutedState }));
    expect(muted.notifier.notified).toEqual([]);

    const hidden = alerts({ settings: { ...quiet, hideMessageText: true } });
    hidden.subject.handle(changed({ unread: 1, lastMessage: message({ seq: 3 }) }));
    expect(hidden.notifier.notified).toEqual([['c_1', { title: 'Alice', body: 'New message' }]]);
  });

  it('notifies a mention in a muted conversation once it knows who is signed in', () => {
    const { subject, notifier } = alerts();
    const mention = message({ seq: 4, mentions: [{ start: 0, end: 3, user: me.id }] });
    subject.handle(changed({ unread: 1, lastMessage: mention, chatState: mutedState }));
    expect(notifier.notified).toEqual([]);
    subject.handle({ type: 'account', account: { user: me, relayUrl: 'https://relay.test', relayUrls: ['https://relay.test'] } });
    subject.handle(changed({ unread: 2, lastMessage: { ...mention, seq: 5 }, chatState: mutedState }));
    expect(notifier.notified).toHaveLength(1);
  });

  it('takes notifications away when the conversation is read', () => {
    const { subject, notifier } = alerts();
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 3 }) }));
    subject.handle(changed({ unread: 0, lastMessage: message({ seq: 3 }) }));
    expect(notifier.dismissed).toEqual(['c_1']);
  });

  it('forgets what it has seen when the user signs out', () => {
    const { subject, notifier } = alerts();
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 3 }) }));
    subject.handle({ type: 'account', account: null });
    subject.handle(changed({ unread: 1, lastMessage: message({ seq: 3 }) }));
    expect(notifier.notified).toHaveLength(2);
  });
});
