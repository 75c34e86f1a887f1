// Folding changes to messages (edits, deletes, reactions; docs/protocol.md,
// "Changes to messages") into the state of the messages they target, as both
// client stores do on every write (docs/engine.md, "Changes to messages").
//
// The relay serves an ordinary message in its *current* state, so a stored
// message may already reflect changes the device receives afterwards (a
// history page below a change the device saw live). Each stored message
// therefore keeps `changedThrough`: the highest seq its state is known to
// reflect. A message written from a relay frame reflects at least every seq
// in that frame (the relay commits a change and its target's new state
// together, before it reads the target for any later frame); a change folds
// in only when its seq is above that, and then raises it. Replaying a change,
// or receiving changes in any mix of pages, therefore ends in the relay's
// state.
import type { Message } from '../protocol/index.ts';

/** A stored message and the highest seq its state reflects. */
export interface MessageState {
  message: Message;
  changedThrough: number;
}

/** Identifies a message of a conversation in the maps below. */
export function messageKey(conv: string, seq: number): string {
  return `${conv}\u0000${seq}`;
}

/** The stored messages that the changes among `messages` target, as keys
 * for the store to read before folding. */
export function changeTargets(messages: readonly Message[]): { conv: string; seq: number }[] {
  return messages.flatMap((m) => (m.kind !== undefined && m.target !== undefined ? [{ conv: m.conv, seq: m.target }] : []));
}

/**
 * The rows one relay frame's messages leave in the store: ordinary messages
 * as served (keeping the higher `changedThrough` of the old row), and the
 * targets of its changes with those folded in. `stored` holds the current
 * rows of the targets (changeTargets) and of the frame's own messages that
 * are stored; changes to messages not stored are dropped (the target arrives
 * later in its current state).
 */
export function foldFrame(messages: readonly Message[], stored: ReadonlyMap<string, MessageState>): MessageState[] {
  if (messages.length === 0) return [];
  const frameSeq = Math.max(...messages.map((m) => m.seq));
  const states = new Map(stored);
  const written = new Set<string>();
  for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
    if (message.kind === undefined || message.target === undefined) {
      const key = messageKey(message.conv, message.seq);
      const changedThrough = Math.max(frameSeq, states.get(key)?.changedThrough ?? 0);
      states.set(key, { message, changedThrough });
      written.add(key);
      continue;
    }
    const key = messageKey(message.conv, message.target);
    const target = states.get(key);
    if (!target || message.seq <= target.changedThrough) continue;
    states.set(key, { message: applyChange(target.message, message), changedThrough: message.seq });
    written.add(key);
  }
  return [...written].map((key) => states.get(key)!);
}

/** What a change does to its target: `kind`, `from`, `body` and `ts` of the
 * change count. A deleted message keeps nothing but the fact it existed, and
 * takes no further change. */
export function applyChange(target: Message, change: Pick<Message, 'kind' | 'from' | 'body' | 'ts'>): Message {
  if (target.deleted) return target;
  switch (change.kind) {
    case 'delete':
      return { conv: target.conv, seq: target.seq, cid: target.cid, from: target.from, body: '', ts: target.ts, deleted: true };
    case 'edit':
      return { ...target, body: change.body, editedAt: change.ts };
    case 'react': {
      const reactions = { ...target.reactions };
      if (change.body === '') delete reactions[change.from];
      else reactions[change.from] = change.body;
      const { reactions: _old, ...rest } = target;
      return Object.keys(reactions).length > 0 ? { ...rest, reactions } : rest;
    }
    default:
      return target;
  }
}
