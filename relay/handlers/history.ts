// `history`: a page of older messages, for scrolling back and filling gaps.
import {
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  type HistoryRequestFrame,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { historyFrameText } from '../message-frames.ts';
import type { Session } from '../session.ts';
import { requireMember } from './guards.ts';

export async function handleHistory(ctx: RelayContext, session: Session, frame: HistoryRequestFrame): Promise<void> {
  await requireMember(ctx, frame.conv, session.user.id);
  const limit = Math.min(HISTORY_MAX_LIMIT, Math.max(1, frame.limit ?? HISTORY_DEFAULT_LIMIT));
  const page = await ctx.store.messagesBefore(frame.conv, frame.before, limit);
  session.sendText(historyFrameText(frame.rid, frame.conv, page.messages, page.more));
}
