// `typing`: relayed to the other members' sockets; nothing is stored.
import type { TypingFrame, TypingUpdateFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { notFound } from './guards.ts';

export async function handleTyping(ctx: RelayContext, session: Session, frame: TypingFrame): Promise<void> {
  const userId = session.user.id;
  const members = await ctx.store.memberIds(frame.conv);
  if (!members.includes(userId)) throw notFound();
  const update: TypingUpdateFrame = { t: 'typing', conv: frame.conv, user: userId, on: frame.on };
  ctx.fanout.publish(
    members.filter((member) => member !== userId),
    { kind: 'frame', text: JSON.stringify(update), ephemeral: true },
  );
}
