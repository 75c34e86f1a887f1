// Which messages notify, and what the notification says. A message notifies
// when it is someone else's, notifications are on, its conversation is not
// muted (its chat state, which follows the user to every device), and the
// user is not already looking at it (the window is unfocused or shows
// another conversation). With "hide message text" the notification says who
// wrote, never what. A message with a file says what kind ("📷 Photo",
// "🎤 Voice message", "📄 NAME") and its caption.
import type { ChatMessage, ConversationSummary } from '../../shared/api.ts';
import type { DesktopSettings } from '../../shared/desktop-api.ts';
import { isMuted } from '../../shared/protocol/index.ts';
import { messageSummary } from '../../shared/file-summary.ts';

export interface NotificationContext {
  windowFocused: boolean;
  openConversation: string | null;
  settings: Pick<DesktopSettings, 'notificationsMuted'>;
  /** The time mutes are judged at. */
  now: number;
}

export interface NotificationContent {
  title: string;
  body: string;
}

/** Long bodies are cut here; notification centres show a few lines at most. */
const MAX_BODY_CODE_POINTS = 200;

/** `conversation` is the message's, undefined when it is not known yet. */
export function shouldNotify(
  message: ChatMessage,
  conversation: Pick<ConversationSummary, 'chatState'> | undefined,
  context: NotificationContext,
): boolean {
  if (message.mine || context.settings.notificationsMuted) return false;
  if (conversation && isMuted(conversation.chatState, context.now)) return false;
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
