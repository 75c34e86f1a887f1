// Changes to messages (edit, delete, react: docs/relay.md, "Changes to
// messages"), the part every store decides alike: whether a change may be
// stored against its target, and a target's reactions after a react.
import { randomUUID } from 'node:crypto';
import { EDIT_WINDOW_MS, MAX_REACTIONS_PER_MESSAGE, type MessageChangeKind } from '../../src/shared/protocol/index.ts';
import type { MessageDraft, Refusal, SendJudge } from './types.ts';

/** A message of the log, by its conversation and seq. */
export interface MessageKey {
  conv_id: string;
  seq: number;
}

/** A change the store makes itself, on a deleted account's behalf. */
export type ErasureDraft = MessageDraft & { kind: MessageChangeKind; target: number };

/**
 * The changes that erase an account from the log (RelayStore.deleteAccount):
 * a delete of each of its messages, then the take-back of each reaction it
 * left on someone else's. Each gets a fresh cid, as a client's would.
 */
export function accountErasureDrafts(userId: string, messages: readonly MessageKey[], reactedTo: readonly MessageKey[]): ErasureDraft[] {
  const draft = (key: MessageKey, kind: MessageChangeKind): ErasureDraft => ({
    sender: userId,
    cid: randomUUID(),
    conv: key.conv_id,
    body: '',
    kind,
    target: Number(key.seq),
  });
  return [...messages.map((key) => draft(key, 'delete')), ...reactedTo.map((key) => draft(key, 'react'))];
}

/** The judge of an account's erasure: its changes carry no content to judge, and no rate limit holds them back. */
export const acceptErasure: SendJudge = () => null;

/** What a change needs to know of its target. */
export interface TargetRow {
  sender_id: string;
  ts: number;
  kind: MessageChangeKind | null;
  deleted: number;
  file_id: string | null;
  /** JSON object USER_ID → emoji; NULL when there are none. */
  reactions: string | null;
}

/** Why a change may not be stored against `target` (its row in the draft's conversation, if any), or null. */
export function changeRefusal(
  draft: MessageDraft,
  kind: MessageChangeKind,
  target: TargetRow | undefined,
  now: number,
): Refusal | null {
  if (draft.target === undefined) return { code: 'invalid', message: `a ${kind} needs a target` };
  if (!target) return { code: 'invalid', message: 'target is not a message of this conversation' };
  if (target.kind !== null) return { code: 'invalid', message: 'target is a change, not a message' };
  if (target.deleted) return { code: 'invalid', message: 'target was deleted' };
  if (kind !== 'react' && target.sender_id !== draft.sender) {
    return { code: 'forbidden', message: `only its author may ${kind} a message` };
  }
  if (kind === 'edit' && now - target.ts > EDIT_WINDOW_MS) return { code: 'invalid', message: 'target is too old to edit' };
  if (kind === 'react' && draft.body !== '' && target.reactions !== null) {
    const reactions = JSON.parse(target.reactions) as Record<string, string>;
    if (!Object.hasOwn(reactions, draft.sender) && Object.keys(reactions).length >= MAX_REACTIONS_PER_MESSAGE) {
      return { code: 'invalid', message: `target has the most reactions a message holds (${MAX_REACTIONS_PER_MESSAGE})` };
    }
  }
  return null;
}

/** The target's reactions (as stored: JSON or NULL) after `sender` reacted with `emoji` ('' takes theirs back). */
export function reactionsAfter(stored: string | null, sender: string, emoji: string): string | null {
  const reactions = stored ? (JSON.parse(stored) as Record<string, string>) : {};
  if (emoji === '') delete reactions[sender];
  else reactions[sender] = emoji;
  return Object.keys(reactions).length > 0 ? JSON.stringify(reactions) : null;
}
