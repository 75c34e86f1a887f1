// `block`, `unblock` and `privacy` (docs/protocol.md, "Privacy"): a user's
// own settings. Each answers with the user's whole privacy state, on the
// requesting socket with its rid and on the user's other sockets without, as
// settings follow a user to every device.
import {
  type BlockFrame,
  MAX_BLOCKED_USERS,
  type PrivacyFrame,
  type PrivacyRequestFrame,
  type UnblockFrame,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { Refused, requireUsers } from './guards.ts';

export async function handleBlock(ctx: RelayContext, session: Session, frame: BlockFrame): Promise<void> {
  const userId = session.user.id;
  if (frame.user === userId) throw new Refused('invalid', 'you cannot block yourself');
  await requireUsers(ctx, [frame.user]);
  const { blocked } = await ctx.store.privacyOf(userId);
  if (blocked.length >= MAX_BLOCKED_USERS && !blocked.some((user) => user.id === frame.user)) {
    throw new Refused('invalid', `you can block at most ${MAX_BLOCKED_USERS} users; unblock one first`);
  }
  await ctx.store.block(userId, frame.user, Date.now());
  await announcePrivacy(ctx, session, frame.rid);
}

export async function handleUnblock(ctx: RelayContext, session: Session, frame: UnblockFrame): Promise<void> {
  await ctx.store.unblock(session.user.id, frame.user);
  await announcePrivacy(ctx, session, frame.rid);
}

/** Sets who may add the user to groups; without `groupAdds`, only reads the state. */
export async function handlePrivacy(ctx: RelayContext, session: Session, frame: PrivacyRequestFrame): Promise<void> {
  if (frame.groupAdds !== undefined) await ctx.store.setGroupAdds(session.user.id, frame.groupAdds);
  await announcePrivacy(ctx, session, frame.rid);
}

async function announcePrivacy(ctx: RelayContext, session: Session, rid: string): Promise<void> {
  const state: PrivacyFrame = { t: 'privacy', ...(await ctx.store.privacyOf(session.user.id)) };
  session.sendFrame({ ...state, rid });
  ctx.fanout.publish([session.user.id], { kind: 'frame', text: JSON.stringify(state), exceptSession: session.id });
}
