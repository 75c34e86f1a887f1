// The user's changes to messages: edit, delete for everyone, react, and
// forward (docs/engine.md, "Changes to messages"). Each is checked against
// what the relay would refuse (so that a hopeless change never waits in the
// outbox), written to the outbox as a job behind everything written before
// it in the conversation, and shown at once with the change applied
// (views.ts, withPendingChanges). This module also redraws a message whenever
// a change to it is added, settled, dropped or received.
import type { ChatMessage, DuplexEvent, MessageRef } from '../api.ts';
import {
  type BodyProblem,
  bodyProblem,
  EDIT_WINDOW_MS,
  isReactionEmoji,
  MAX_BODY_CODE_POINTS,
  type Message,
  type User,
} from '../protocol/index.ts';
import { type ChangeJob, type ClientStore, isMessageJob } from '../store/client-store.ts';
import type { Conversations } from './conversations.ts';
import type { Outbox } from './outbox.ts';
import { outgoingChatMessage, storedChatMessage, withPendingChanges } from './views.ts';

/** What the user is told for each broken body rule (src/shared/protocol/content.ts). */
const BODY_REFUSALS: Record<BodyProblem, string> = {
  blank: 'A message cannot be empty',
  too_long: `A message can be at most ${MAX_BODY_CODE_POINTS} characters long`,
  too_large: 'A message cannot carry that much surrounding whitespace',
};

/** Throws what the user is told when the relay would refuse this body (a
 * file's caption may be blank). */
export function assertSendableBody(body: string, blankAllowed = false): void {
  const problem = bodyProblem(body, blankAllowed);
  if (problem) throw new RangeError(BODY_REFUSALS[problem]);
}

export interface MessageChangesOptions {
  store: ClientStore;
  conversations: Conversations;
  outbox: Outbox;
  me: string;
  emit(event: DuplexEvent): void;
}

export class MessageChanges {
  private readonly options: MessageChangesOptions;

  constructor(options: MessageChangesOptions) {
    this.options = options;
  }

  async edit(conv: string, ref: MessageRef, body: string): Promise<void> {
    assertSendableBody(body);
    const target = await this.own(conv, ref, 'edited');
    if (target.seq !== null && Date.now() - target.ts > EDIT_WINDOW_MS) {
      throw new RangeError('A message can only be edited within 48 hours of sending it');
    }
    if (target.body === body) return;
    await this.options.outbox.change({ kind: 'edit', conv, targetCid: ref.cid, ...seqOf(ref), body });
  }

  async deleteForEveryone(conv: string, ref: MessageRef): Promise<void> {
    await this.own(conv, ref, 'deleted');
    await this.options.outbox.change({ kind: 'delete', conv, targetCid: ref.cid, ...seqOf(ref) });
  }

  async react(conv: string, ref: MessageRef, emoji: string): Promise<void> {
    if (emoji !== '' && !isReactionEmoji(emoji)) throw new RangeError('A reaction is one emoji');
    const target = await this.current(conv, ref);
    if (target.deleted) throw new RangeError('A deleted message takes no reactions');
    if ((target.reactions?.[this.options.me] ?? '') === emoji) return;
    await this.options.outbox.change({ kind: 'react', conv, targetCid: ref.cid, ...seqOf(ref), body: emoji });
  }

  /** The body of a stored message, to send again elsewhere marked forwarded. */
  async forwardedContent(fromConv: string, seq: number): Promise<Pick<Message, 'body' | 'file'>> {
    this.options.conversations.require(fromConv);
    const source = await this.options.store.getMessage(fromConv, seq);
    if (!source) throw new RangeError('That message is not on this device');
    if (source.deleted) throw new RangeError('A deleted message cannot be forwarded');
    return source.file ? { body: source.body, file: source.file } : { body: source.body };
  }

  /** Shows a change job's target again: it was added, or is gone. */
  jobChanged(job: ChangeJob): void {
    void this.redraw(job.conv, { cid: job.targetCid, seq: job.target ?? null }).catch(() => {});
  }

  /** Shows again the stored messages these changes (just folded in) target,
   * and the newest reaction among them in the chat list. */
  async redrawStored(conv: string, changes: readonly Message[]): Promise<void> {
    const messages = new Map<number, ChatMessage>();
    for (const seq of new Set(changes.map((change) => change.target!))) {
      const message = await this.storedView(conv, seq);
      if (!message) continue;
      // Only the changes to it are read, not the whole outbox: changes from
      // others can come in while a long outbox flushes.
      const pending = await this.options.store.listChangesTo(conv, message.cid);
      messages.set(seq, withPendingChanges(message, pending, this.options.me, this.membersOf(conv)));
    }
    if (messages.size > 0) this.options.emit({ type: 'messages', conv, messages: [...messages.values()] });
    const reaction = changes.findLast((change) => change.kind === 'react' && change.body !== '');
    const target = reaction && messages.get(reaction.target!);
    if (reaction && target && !target.deleted) {
      this.options.conversations.reacted(conv, { from: reaction.from, emoji: reaction.body, body: target.body, seq: reaction.seq });
    }
    this.options.conversations.changed(conv);
  }

  private async redraw(conv: string, ref: MessageRef): Promise<void> {
    const message = await this.find(conv, ref);
    if (message) this.options.emit({ type: 'messages', conv, messages: [message] });
    this.options.conversations.changed(conv);
  }

  /** The user's own message as they see it now; throws when it is not theirs
   * or is deleted. */
  private async own(conv: string, ref: MessageRef, verb: string): Promise<ChatMessage> {
    const target = await this.current(conv, ref);
    if (!target.mine) throw new RangeError(`Only your own messages can be ${verb}`);
    if (target.deleted) throw new RangeError('This message was deleted');
    return target;
  }

  private async current(conv: string, ref: MessageRef): Promise<ChatMessage> {
    this.options.conversations.require(conv);
    const message = await this.find(conv, ref);
    if (!message) throw new RangeError('That message is not on this device');
    return message;
  }

  /** A message by seq (stored) or by cid (still in the outbox), with the
   * changes waiting for it applied. */
  private async find(conv: string, ref: MessageRef): Promise<ChatMessage | undefined> {
    const outbox = await this.options.store.listOutbox(conv);
    let message: ChatMessage | undefined;
    if (ref.seq !== null) {
      message = await this.storedView(conv, ref.seq);
      if (message?.cid !== ref.cid) return undefined;
    } else {
      const job = outbox.filter(isMessageJob).find((j) => j.cid === ref.cid);
      message = job && outgoingChatMessage(job, this.options.me, this.membersOf(conv));
    }
    return message && withPendingChanges(message, outbox, this.options.me, this.membersOf(conv));
  }

  private membersOf(conv: string): readonly User[] {
    return this.options.conversations.get(conv)?.members ?? [];
  }

  private async storedView(conv: string, seq: number): Promise<ChatMessage | undefined> {
    const conversation = this.options.conversations.get(conv);
    const stored = conversation && (await this.options.store.getMessage(conv, seq));
    return stored ? storedChatMessage(stored, conversation!, this.options.me) : undefined;
  }
}

function seqOf(ref: MessageRef): { target?: number } {
  return ref.seq === null ? {} : { target: ref.seq };
}
