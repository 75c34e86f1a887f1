// `chatstate` (docs/protocol.md, "Chat state"): a member's own pin, archive
// and mute of a conversation. It draws on the conversation-change bucket,
// and is answered with the whole state on the requesting socket (with its
// rid) and on the user's other sockets (without), as it follows the user to
// every device. Nobody else hears of it.
import {
  type ChatState,
  type ChatStateFrame,
  type ChatStateRequestFrame,
  MUTED_FOREVER,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { notFound, Refused, takeConversationChange } from './guards.ts';

export async function handleChatState(ctx: RelayContext, session: Session, frame: ChatStateRequestFrame): Promise<void> {
  const userId = session.user.id;
  await takeConversationChange(ctx, userId);
  const change = requestedChange(frame, Date.now());
  const state = await ctx.store.setChatState(frame.conv, userId, change);
  if (!state) throw notFound();
  const answer: ChatStateFrame = { t: 'chatstate', conv: frame.conv, ...state };
  session.sendFrame(frame.rid === undefined ? answer : { ...answer, rid: frame.rid });
  ctx.fanout.publish([userId], { kind: 'frame', text: JSON.stringify(answer), exceptSession: session.id });
}

/** The fields the frame sets. A mute must end after `now` (null unmutes) and
 * no later than MUTED_FOREVER, which is "always". */
function requestedChange(frame: ChatStateRequestFrame, now: number): Partial<ChatState> {
  const change: Partial<ChatState> = {};
  if (frame.pinned !== undefined) change.pinned = frame.pinned;
  if (frame.archived !== undefined) change.archived = frame.archived;
  if (frame.mutedUntil !== undefined) {
    if (frame.mutedUntil !== null && frame.mutedUntil <= now) {
      throw new Refused('invalid', 'mutedUntil is not in the future; send null to unmute');
    }
    if (frame.mutedUntil !== null && frame.mutedUntil > MUTED_FOREVER) {
      throw new Refused('invalid', `mutedUntil is beyond ${MUTED_FOREVER} (mute always)`);
    }
    change.mutedUntil = frame.mutedUntil;
  }
  return change;
}
