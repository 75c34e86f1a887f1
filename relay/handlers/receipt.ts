// `receipt`: move the sender's watermarks forward and tell every member's
// sockets (the sender's included). A receipt that moves nothing is not relayed.
import type { ReceiptFrame, ReceiptUpdateFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { notFound } from './guards.ts';

export async function handleReceipt(ctx: RelayContext, session: Session, frame: ReceiptFrame): Promise<void> {
  const userId = session.user.id;
  const result = await ctx.store.advanceReceipt(frame.conv, userId, { delivered: frame.delivered, read: frame.read });
  if (!result) throw notFound();
  if (!result.changed) return;
  const update: ReceiptUpdateFrame = { t: 'receipt', conv: frame.conv, user: userId, ...result.watermarks };
  ctx.fanout.publish(await ctx.store.memberIds(frame.conv), { kind: 'frame', text: JSON.stringify(update) });
}
