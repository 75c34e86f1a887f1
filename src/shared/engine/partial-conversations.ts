// Conversations the relay sends in parts because they do not fit in one frame
// (docs/protocol.md, "Large conversations"): a CONV marked `partial` carries
// the first members, and `members` frames right after it carry the rest until
// one says `more: false`. Parts are held here until complete, with whatever
// the caller needs to finish handling the frame that started them.
import type { Conversation, MembersFrame } from '../protocol/index.ts';

export class PartialConversations<Context> {
  private readonly pending = new Map<string, { conversation: Conversation; context: Context }>();

  /** Holds the first part of a conversation until its last `members` frame. */
  start(conversation: Conversation, context: Context): void {
    this.pending.set(conversation.id, {
      conversation: { ...conversation, members: [...conversation.members], receipts: { ...conversation.receipts } },
      context,
    });
  }

  /** Adds a part; the whole conversation (no longer partial) once this was the last one. */
  add(frame: MembersFrame): { conversation: Conversation; context: Context } | undefined {
    const held = this.pending.get(frame.conv);
    if (!held) return undefined;
    held.conversation.members.push(...frame.members);
    Object.assign(held.conversation.receipts, frame.receipts);
    if (frame.more) return undefined;
    this.pending.delete(frame.conv);
    const { partial: _partial, ...conversation } = held.conversation;
    return { conversation, context: held.context };
  }

  /** The socket closed: parts of it will not be completed. */
  clear(): void {
    this.pending.clear();
  }
}
