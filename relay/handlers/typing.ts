// `typing`: checked here, coalesced per user and conversation (see
// typing-coalescer.ts), then relayed to the other members' sockets, except
// members who blocked the typer. Nothing is stored; a syncing session drops
// it (it is ephemeral).
import type { TypingFrame, TypingUpdateFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Fanout } from '../fanout.ts';
import type { Logger } from '../log.ts';
import type { Session } from '../session.ts';
import type { RelayStore } from '../store/types.ts';
import type { RelayTyping } from '../typing-coalescer.ts';
import { requireMember } from './guards.ts';

export async function handleTyping(ctx: RelayContext, session: Session, frame: TypingFrame): Promise<void> {
  await requireMember(ctx, frame.conv, session.user.id);
  ctx.typing.offer(session.user.id, frame.conv, frame.on);
}

/** What the coalescer relays with: membership is looked at again, since a held state is relayed later. */
export function typingRelay(services: { store: RelayStore; fanout: Fanout; log: Logger }): RelayTyping {
  const { store, fanout, log } = services;
  return (userId, conv, on) => {
    void (async () => {
      const members = await store.memberIds(conv);
      if (!members.includes(userId)) return;
      const others = members.filter((member) => member !== userId);
      const blockers = new Set(await store.blockersOf(userId, others));
      const update: TypingUpdateFrame = { t: 'typing', conv, user: userId, on };
      fanout.publish(
        others.filter((member) => !blockers.has(member)),
        { kind: 'frame', text: JSON.stringify(update), ephemeral: true },
      );
    })().catch((error: unknown) => log.error({ err: error, user: userId, conv }, 'relaying typing failed'));
  };
}
