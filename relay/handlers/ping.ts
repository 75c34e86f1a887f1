// `ping`: the client's liveness check, answered at once.
import type { PingFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';

export async function handlePing(_ctx: RelayContext, session: Session, frame: PingFrame): Promise<void> {
  session.sendFrame({ t: 'pong', rid: frame.rid });
}
