// Which messages notify, and what the notification says: the one set of
// rules of the desktop app (src/main) and the web client (src/web). A
// message notifies when it is someone else's, notifications are on, its
// conversation is not muted (its chat state, which follows the user to every
// device; a message that mentions the user gets through a mute), and the
// user is not already looking at it (the window or tab is unfocused or shows
// another conversation). With "hide message text" the notification says
// who wrote, never what. A message with a file says what kind ("📷 Photo",
// "🎤 Voice message", "📄 NAME") and its caption.
import type { ChatMessage, ConversationSummary } from '../api.ts';
import { isMuted } from '../protocol/index.ts';
import { messageSummary } from '../file-summary.ts';

/** What the user chose; each shell keeps its own (docs/desktop.md, docs/ui.md). */
export interface NotificationSettings {
  /** No message notifications at all. */
  notificationsMuted: boolean;
  /** Notifications say who wrote, never what. */
  hideMessageText: boolean;
}

/** Where the user is looking, as the shell sees it. */
export interface NotificationView {
  windowFocused: boolean;
  openConversation: string | null;
  settings: NotificationSettings;
  /** The time mutes are judged at. */
  now: number;
}

export interface NotificationContext extends NotificationView {
  /** The signed-in user, whose mentions get through a mute. */
  me: string | null;
}

export interface NotificationContent {
  title: string;
  body: string;
}

/** Long bodies are cut here; notification centres show a few lines at most. */
const MAX_BODY_CODE_POINTS = 200;

export function mentionsUser(message: ChatMessage, user: string | null): boolean {
  return user !== null && (message.mentions?.some((mention) => mention.user === user) ?? false);
}

/** `conversation` is the message's, undefined when it is not known yet. */
export function shouldNotify(
  message: ChatMessage,
  conversation: Pick<ConversationSummary, 'chatState'> | undefined,
  context: NotificationContext,
): boolean {
  if (message.mine || context.settings.notificationsMuted) return false;
  if (conversation && isMuted(conversation.chatState, context.now) && !mentionsUser(message, context.me)) return false;
  return !(context.windowFocused && context.openConversation === message.conv);
}

function shortened(text: string): string {
  const codePoints = [...text.trim()];
  return codePoints.length > MAX_BODY_CODE_POINTS
    ? `${codePoints.slice(0, MAX_BODY_CODE_POINTS - 1).join('')}…`
    : codePoints.join('');
}

/** `conversation` is undefined when the message arrives before its
 * conversation is known; the notification then names neither. */
export function notificationContent(
  message: ChatMessage,
  conversation: ConversationSummary | undefined,
  hideMessageText: boolean,
): NotificationContent {
  if (conversation === undefined) {
    return { title: 'Duplex', body: hideMessageText ? 'New message' : shortened(messageSummary(message)) };
  }
  if (conversation.kind === 'direct') {
    return { title: conversation.title, body: hideMessageText ? 'New message' : shortened(messageSummary(message)) };
  }
  const sender = conversation.members.find((member) => member.id === message.from)?.displayName ?? 'Someone';
  return {
    title: conversation.title,
    body: hideMessageText ? `New message from ${sender}` : `${sender}: ${shortened(messageSummary(message))}`,
  };
}
