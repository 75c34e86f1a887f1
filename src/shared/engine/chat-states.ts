// Pin, archive and mute (docs/engine.md, "Chat state"): the user's own state
// of each conversation, which the relay keeps and hands to every device.
//
// A change is shown at once and written to the store as the conversation's
// `pendingChatState` before anything goes on the wire; it is sent as a
// `chatstate` request once the session is `synced`, and again after every
// later `synced` until the relay has answered it. Chat state is a state, not
// an event, so this is not an outbox job: only the latest value of each field
// matters, and ten taps offline send one frame with the outcome, not ten.
//
// Whatever the relay reports (a CONV's `mine`, a `chatstate` from another
// device) is taken with the pending fields laid over it, so a change made
// here is never undone on screen by an older state arriving meanwhile.
import type { ChatStateChange, ConversationSummary } from '../api.ts';
import { type ChatState, type ChatStateFrame, MUTED_FOREVER } from '../protocol/index.ts';
import type { StoredConversation } from '../store/client-store.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Conversations } from './conversations.ts';
import type { Logger } from './log.ts';
import { RequestError, type Requests } from './requests.ts';
import { RetryPause } from './retry-pause.ts';

export interface ChatStatesOptions {
  conversations: Conversations;
  requests: Requests;
  /** True while the session is `synced`. */
  isOnline(): boolean;
  log: Logger;
  /** Pause after a `rate_limited` answer (or no answer in time), doubling while it lasts. */
  retryBackoff: BackoffPolicy;
  now?: () => number;
}

/** Answers after which the same change is sent again later; any other
 * refusal is final and the change is dropped. */
const RETRIED_LATER: ReadonlySet<RequestError['code']> = new Set(['rate_limited', 'timeout']);

export class ChatStates {
  private readonly options: ChatStatesOptions;
  private readonly now: () => number;
  /** Conversations with a `chatstate` request on the wire. */
  private readonly inFlight = new Set<string>();
  private readonly retryPause: RetryPause;

  constructor(options: ChatStatesOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.retryPause = new RetryPause(options.retryBackoff, () => this.synced());
  }

  /** The user changes their state of a conversation: shown and stored at
   * once, sent when the session allows. */
  async set(conv: string, requested: ChatStateChange): Promise<ConversationSummary> {
    const { conversations } = this.options;
    const conversation = conversations.require(conv);
    // A field given as undefined is a field not given.
    const change = Object.fromEntries(Object.entries(requested).filter(([, value]) => value !== undefined)) as ChatStateChange;
    const mutedUntil = change.mutedUntil;
    if (mutedUntil !== undefined && mutedUntil !== null && (mutedUntil <= this.now() || mutedUntil > MUTED_FOREVER)) {
      throw new RangeError('A mute must end in the future (or be for always)');
    }
    conversation.pendingChatState = { ...conversation.pendingChatState, ...change };
    conversation.chatState = { ...conversation.chatState, ...change };
    await conversations.save(conversation);
    conversations.changed(conv);
    this.send(conversation);
    return conversations.summary(conv);
  }

  /** A `chatstate` frame: an answer to this device, or news from another. */
  async received(frame: ChatStateFrame): Promise<void> {
    const conversation = this.options.conversations.get(frame.conv);
    if (!conversation) return;
    this.options.conversations.takeChatState(conversation, stateOf(frame));
    await this.options.conversations.save(conversation);
    this.options.conversations.changed(conversation.id);
  }

  /** The session is `synced`: send every change the relay has not confirmed. */
  synced(): void {
    for (const conversation of this.options.conversations.all()) this.send(conversation);
  }

  /** The connection is gone: what was on the wire goes again after the next `synced`. */
  connectionLost(): void {
    this.inFlight.clear();
  }

  close(): void {
    this.retryPause.cancel();
  }

  private send(conversation: StoredConversation): void {
    const change = conversation.pendingChatState;
    if (!change || this.inFlight.has(conversation.id) || this.retryPause.active || !this.options.isOnline()) return;
    this.inFlight.add(conversation.id);
    void this.request(conversation, change);
  }

  private async request(conversation: StoredConversation, change: Partial<ChatState>): Promise<void> {
    const conv = conversation.id;
    let answer: ChatStateFrame | undefined;
    let settled = true;
    try {
      const frame = { t: 'chatstate' as const, conv, ...change, ...endedMute(change, this.now()) };
      // The answer has been taken (received() above) by the time this resolves.
      answer = await this.options.requests.request(frame, 'chatstate');
      this.retryPause.succeeded();
    } catch (error) {
      const code = error instanceof RequestError ? error.code : 'unexpected';
      // Offline: the next `synced` sends it again.
      settled = code !== 'offline' && !RETRIED_LATER.has(code);
      if (RETRIED_LATER.has(code)) this.retryPause.start();
      else if (settled) this.options.log('warn', `The relay refused a chat state change of ${conv} (${code})`, error);
    }
    if (!this.inFlight.delete(conv) || this.options.conversations.get(conv) !== conversation || !settled) return;
    // Changed again meanwhile: what is newer than the request stays pending, and goes next.
    conversation.pendingChatState = without(conversation.pendingChatState, change);
    if (answer) this.options.conversations.takeChatState(conversation, stateOf(answer));
    await this.options.conversations.save(conversation);
    this.options.conversations.changed(conv);
    this.send(conversation);
  }
}

function stateOf(frame: ChatStateFrame): ChatState {
  return { pinned: frame.pinned, archived: frame.archived, mutedUntil: frame.mutedUntil };
}

/** A mute that ended while the change waited is sent as an unmute, which is
 * what it amounts to (the relay refuses a mute that has ended). */
function endedMute(change: Partial<ChatState>, now: number): Partial<ChatState> {
  return change.mutedUntil != null && change.mutedUntil <= now ? { mutedUntil: null } : {};
}

/** The fields of `pending` that `sent` did not carry with the same value; null when none are left. */
function without(pending: Partial<ChatState> | null, sent: Partial<ChatState>): Partial<ChatState> | null {
  if (!pending) return null;
  const rest = Object.fromEntries(
    Object.entries(pending).filter(([field, value]) => sent[field as keyof ChatState] !== value),
  ) as Partial<ChatState>;
  return Object.keys(rest).length > 0 ? rest : null;
}
