// Which handler answers which frame type once the session is authenticated
// (`hello` is the dispatcher's own business), and whether consecutive frames
// of that type may overlap (see OrderedTasks): only sends do, so that a burst
// of them shares one group commit.
import type { ClientFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import { handleChatState } from './chat-state.ts';
import { handleAdd, handleCreate, handleGroupPhoto, handleLeave, handleRename } from './conversations.ts';
import { handleDevices, handleSignOut } from './devices.ts';
import { handleHistory } from './history.ts';
import { handlePing } from './ping.ts';
import { handleBlock, handlePrivacy, handleUnblock } from './privacy.ts';
import { handleProfile } from './profile.ts';
import { handleReceipt } from './receipt.ts';
import { handleSend } from './send.ts';
import { handleTyping } from './typing.ts';
import { handleUsers } from './users.ts';

export type SessionFrame = Exclude<ClientFrame, { t: 'hello' }>;

type Handler<F extends SessionFrame> = (ctx: RelayContext, session: Session, frame: F) => Promise<void>;

const HANDLERS: { [T in SessionFrame['t']]: { handle: Handler<Extract<SessionFrame, { t: T }>>; overlap: boolean } } = {
  send: { handle: handleSend, overlap: true },
  receipt: { handle: handleReceipt, overlap: false },
  typing: { handle: handleTyping, overlap: false },
  create: { handle: handleCreate, overlap: false },
  add: { handle: handleAdd, overlap: false },
  leave: { handle: handleLeave, overlap: false },
  rename: { handle: handleRename, overlap: false },
  history: { handle: handleHistory, overlap: false },
  users: { handle: handleUsers, overlap: false },
  ping: { handle: handlePing, overlap: false },
  block: { handle: handleBlock, overlap: false },
  unblock: { handle: handleUnblock, overlap: false },
  privacy: { handle: handlePrivacy, overlap: false },
  chatstate: { handle: handleChatState, overlap: false },
  devices: { handle: handleDevices, overlap: false },
  sign_out: { handle: handleSignOut, overlap: false },
  profile: { handle: handleProfile, overlap: false },
  group_photo: { handle: handleGroupPhoto, overlap: false },
};

export function handlerFor(frame: SessionFrame): { handle: Handler<SessionFrame>; overlap: boolean } {
  // The table pairs each type with its handler; TypeScript cannot follow the
  // pairing through an index by a union, hence the widening.
  return HANDLERS[frame.t] as { handle: Handler<SessionFrame>; overlap: boolean };
}
