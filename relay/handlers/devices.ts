// `devices` and `sign_out` (docs/protocol.md, "Devices"): the user's sign-ins,
// and signing one of them, or all but the asking one, out. A device signed
// out loses its token at once, and its sockets close with 4001 (reason
// `signed out from another device`) wherever they are connected.
import { type DevicesRequestFrame, SIGNED_OUT_ELSEWHERE, type SignOutFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { deviceId, toDevice } from '../devices.ts';
import type { Session } from '../session.ts';
import { Refused } from './guards.ts';

export async function handleDevices(ctx: RelayContext, session: Session, frame: DevicesRequestFrame): Promise<void> {
  await answerDevices(ctx, session, frame.rid);
}

export async function handleSignOut(ctx: RelayContext, session: Session, frame: SignOutFrame): Promise<void> {
  const userId = session.user.id;
  const current = session.tokenHash;
  const signIns = await ctx.store.listTokens(userId);
  let targets: string[];
  if ('others' in frame) {
    targets = signIns.map((record) => record.tokenHash).filter((tokenHash) => tokenHash !== current);
  } else {
    const target = signIns.find((record) => deviceId(record.tokenHash) === frame.device);
    if (!target) throw new Refused('not_found', 'no such device');
    if (target.tokenHash === current) throw new Refused('invalid', 'this is the device asking: sign out with POST /api/logout');
    targets = [target.tokenHash];
  }
  for (const tokenHash of targets) {
    if ((await ctx.store.revokeToken(tokenHash)) === undefined) continue;
    ctx.fanout.publish([userId], { kind: 'revoke', tokenHash, reason: SIGNED_OUT_ELSEWHERE });
  }
  ctx.log.info({ user: userId, session: session.id, devices: targets.map(deviceId) }, 'devices signed out by their user');
  await answerDevices(ctx, session, frame.rid);
}

async function answerDevices(ctx: RelayContext, session: Session, rid: string): Promise<void> {
  const signIns = await ctx.store.listTokens(session.user.id);
  session.sendFrame({ t: 'devices', rid, devices: signIns.map((record) => toDevice(record, session.tokenHash)) });
}
