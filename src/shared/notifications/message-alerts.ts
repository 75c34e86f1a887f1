// Decides when a message is news. The engine reports each change of a
// conversation with its newest message and its unread count; a conversation
// whose newest message is someone else's, stored, unread and newer than any
// this process has already seen there, has news, and its newest message
// notifies (one notification per change, however many messages came
// together, e.g. after being offline). Messages read on another device have
// unread 0 and stay quiet, so signing in does not replay history. Reading a
// conversation takes its notifications away.
import type { ConversationSummary, DuplexEvent } from '../api.ts';
import type { NotificationContent, NotificationView } from './notification-rules.ts';
import { notificationContent, shouldNotify } from './notification-rules.ts';

export interface Notifier {
  notify(conv: string, content: NotificationContent): void;
  dismiss(conv: string): void;
}

export class MessageAlerts {
  /** Per conversation, the highest seq seen as its newest message. */
  readonly #seen = new Map<string, number>();
  readonly #notifier: Notifier;
  readonly #context: () => NotificationView;
  /** The signed-in user, from the `account` events. */
  #me: string | null = null;

  constructor(options: { notifier: Notifier; context: () => NotificationView }) {
    this.#notifier = options.notifier;
    this.#context = options.context;
  }

  /** The conversations as stored when a session starts: their newest
   * messages are not news (they may have notified before a restart). */
  alreadySeen(conversations: readonly ConversationSummary[]): void {
    for (const conversation of conversations) this.#markSeen(conversation);
  }

  handle(event: DuplexEvent): void {
    if (event.type === 'account') {
      this.#seen.clear();
      this.#me = event.account?.user.id ?? null;
      return;
    }
    if (event.type !== 'conversation') return;
    const { conversation } = event;
    if (conversation.unread === 0) {
      this.#notifier.dismiss(conversation.id);
      return;
    }
    const message = conversation.lastMessage;
    const isNews =
      message !== null &&
      !message.mine &&
      message.seq !== null &&
      message.seq > (this.#seen.get(conversation.id) ?? 0);
    this.#markSeen(conversation);
    if (!isNews) return;
    const context = this.#context();
    if (!shouldNotify(message, conversation, { ...context, me: this.#me })) return;
    this.#notifier.notify(conversation.id, notificationContent(message, conversation, context.settings.hideMessageText));
  }

  #markSeen(conversation: ConversationSummary): void {
    const seq = conversation.lastMessage?.seq;
    if (seq === null || seq === undefined) return;
    this.#seen.set(conversation.id, Math.max(seq, this.#seen.get(conversation.id) ?? 0));
  }
}
