// One group commit on PostgreSQL (RelayStore.appendMessages), inside the
// transaction postgres.ts opens: the same checks in the same order as the
// SQLite store (types.ts says which), with the rules of changes to messages
// shared (message-changes.ts). The conversations of the batch are locked
// first, in id order (SELECT … FOR UPDATE: two nodes never deadlock, and
// everything read afterwards includes what other nodes committed before),
// then their members and blocks and the batch's earlier (sender, cid) pairs
// are read once, in one statement. Ordinary messages wait in a buffer and go
// in one INSERT, which also sets the conversations' last seq at the end;
// the buffer is written before anything reads messages (a change's target,
// whether a sender may read a file), so every read sees the batch so far.
import type pg from 'pg';
import type { FileRef, Message, MessageChangeKind, MessageFile } from '../../src/shared/protocol/index.ts';
import { acceptErasure, changeRefusal, type ErasureDraft, reactionsAfter, type TargetRow } from './message-changes.ts';
import { FILE_COLUMNS, type FileRow, MESSAGE_COLUMNS, type MessageRow, senderCidKey, toMessage } from './rows.ts';
import type { AppendOutcome, MessageDraft, Refusal, SendJudge } from './types.ts';

/** A conversation during one batch. */
interface BatchConversation {
  /** Including the messages this batch appended so far. */
  lastSeq: number;
  /** In joining order. */
  members: string[];
  /** Members whose sends the other member of a direct conversation blocked. */
  blockedSenders: string[];
  appended: boolean;
}

/** A row as the batch inserts it (INSERTED_COLUMNS of rows.ts). */
interface NewRow {
  message: Message;
  fileId: string | null;
  kind: MessageChangeKind | null;
  target: number | null;
}

const NOT_MEMBER: Refusal = { code: 'not_found', message: 'no such conversation' };
const BLOCKED: Refusal = { code: 'forbidden', message: 'this user does not accept your messages' };
const BAD_FILE: Refusal = { code: 'invalid', message: 'no such file, unfinished, or not readable by the sender' };

export async function appendBatch(
  client: pg.PoolClient,
  drafts: readonly MessageDraft[],
  judge: SendJudge,
  now: number,
): Promise<AppendOutcome[]> {
  const batch = new AppendBatch(client, now);
  const { conversations, stored } = await batch.lockConversations(drafts.map((draft) => draft.conv), drafts);
  const outcomes: AppendOutcome[] = [];
  for (const draft of drafts) {
    const key = senderCidKey(draft.sender, draft.cid);
    const before = stored.get(key);
    // A copy, so that no two outcomes share a Message its caller might change.
    if (before) {
      outcomes.push({ kind: 'duplicate', message: { ...before } });
      continue;
    }
    const conv = conversations.get(draft.conv);
    if (!conv?.members.includes(draft.sender)) outcomes.push({ kind: 'refused', refusal: { ...NOT_MEMBER } });
    else if (conv.blockedSenders.includes(draft.sender)) outcomes.push({ kind: 'refused', refusal: { ...BLOCKED } });
    else if (draft.kind !== undefined) outcomes.push(await batch.appendChange(draft, draft.kind, conv, judge, stored));
    else outcomes.push(await batch.appendMessage(draft, conv, judge, stored));
  }
  await batch.finish(conversations);
  return outcomes;
}

/**
 * The changes of an account's erasure (RelayStore.deleteAccount), inside its
 * transaction: the conversations `convIds` are locked first, then `erasure`
 * reads the drafts (so that no message of the user lands in them unseen),
 * which are stored as appendBatch stores changes, membership aside (the
 * user's messages in conversations they left are erased too).
 */
export async function appendErasure(
  client: pg.PoolClient,
  convIds: readonly string[],
  erasure: () => Promise<ErasureDraft[]>,
  now: number,
): Promise<AppendOutcome[]> {
  const batch = new AppendBatch(client, now);
  const { conversations, stored } = await batch.lockConversations(convIds, []);
  const outcomes: AppendOutcome[] = [];
  for (const draft of await erasure()) {
    const conv = conversations.get(draft.conv);
    if (conv) outcomes.push(await batch.appendChange(draft, draft.kind, conv, acceptErasure, stored));
  }
  await batch.finish(conversations);
  return outcomes;
}

/** Sets conversations' last seq from two array parameters, the ids at $`first` and the seqs after them. */
function setLastSeqs(first: number): string {
  return `UPDATE conversations c SET last_seq = v.last_seq
    FROM unnest($${first}::text[], $${first + 1}::bigint[]) AS v (id, last_seq) WHERE c.id = v.id`;
}

class AppendBatch {
  readonly #client: pg.PoolClient;
  readonly #now: number;
  #pending: NewRow[] = [];

  constructor(client: pg.PoolClient, now: number) {
    this.#client = client;
    this.#now = now;
  }

  /**
   * Locks the conversations, then reads their members and blocks and the
   * messages already stored under the drafts' (sender, cid) pairs (by
   * senderCidKey) in one statement: the locks are held from the first round
   * trip to the commit, and other nodes' commits of these conversations wait
   * for them (docs/scaling.md, "The cost of clustering"), so each round trip
   * saved here is one they wait less. The reads come after the lock, in a
   * statement of their own, so that they see what other nodes committed
   * before it was granted.
   */
  async lockConversations(
    convIds: readonly string[],
    drafts: readonly MessageDraft[],
  ): Promise<{ conversations: Map<string, BatchConversation>; stored: Map<string, Message> }> {
    const ids = [...new Set(convIds)].sort();
    const locked = await this.#rows<{ id: string; last_seq: number }>(
      'SELECT id, last_seq FROM conversations WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE',
      [ids],
    );
    // json_agg keeps every column's text (file, reactions) and numbers (seq,
    // ts: bigint, safe integers here) as MessageRow has them.
    const [read] = await this.#rows<{ details: { id: string; members: string[]; blocked: string[] }[]; stored: MessageRow[] }>(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object(
            'id', c.id,
            'members', ARRAY(SELECT m.user_id FROM members m WHERE m.conv_id = c.id ORDER BY m.ordinal),
            'blocked', ARRAY(SELECT b.blocked_id FROM members blocker
                             JOIN blocks b ON b.blocker_id = blocker.user_id
                             JOIN members blocked ON blocked.conv_id = c.id AND blocked.user_id = b.blocked_id
                             WHERE blocker.conv_id = c.id AND c.kind = 'direct'))), '[]'::json)
          FROM conversations c WHERE c.id = ANY($1::text[])) AS details,
         (SELECT coalesce(json_agg(s), '[]'::json) FROM (
            SELECT ${MESSAGE_COLUMNS} FROM unnest($2::text[], $3::text[]) AS pair (sender_id, cid)
            JOIN messages USING (sender_id, cid)) s) AS stored`,
      [ids, drafts.map((draft) => draft.sender), drafts.map((draft) => draft.cid)],
    );
    const byId = new Map((read?.details ?? []).map((row) => [row.id, row]));
    const conversations = new Map(
      locked.map((row) => [
        row.id,
        { lastSeq: row.last_seq, members: byId.get(row.id)?.members ?? [], blockedSenders: byId.get(row.id)?.blocked ?? [], appended: false },
      ]),
    );
    const stored = new Map((read?.stored ?? []).map((row) => [senderCidKey(row.sender_id, row.cid), toMessage(row)]));
    return { conversations, stored };
  }

  async appendMessage(draft: MessageDraft, conv: BatchConversation, judge: SendJudge, stored: Map<string, Message>): Promise<AppendOutcome> {
    const file = draft.file ? await this.#messageFile(draft.file, draft.sender) : undefined;
    if (file === null) return { kind: 'refused', refusal: { ...BAD_FILE } };
    const refusal = judge(draft, { lastSeq: conv.lastSeq });
    if (refusal) return { kind: 'refused', refusal };
    const seq = ++conv.lastSeq;
    conv.appended = true;
    const message: Message = { conv: draft.conv, seq, cid: draft.cid, from: draft.sender, body: draft.body, ts: this.#now };
    if (draft.replyTo !== undefined) message.replyTo = draft.replyTo;
    if (file) message.file = file;
    if (draft.forwarded) message.forwarded = true;
    this.#pending.push({ message, fileId: file?.id ?? null, kind: null, target: null });
    // A later draft of this batch with the same (sender, cid) is its duplicate.
    stored.set(senderCidKey(draft.sender, draft.cid), message);
    return { kind: 'stored', message, members: conv.members };
  }

  /** A change (MessageDraft.kind): checked against its target, stored, and the target's state updated. */
  async appendChange(
    draft: MessageDraft,
    kind: MessageChangeKind,
    conv: BatchConversation,
    judge: SendJudge,
    stored: Map<string, Message>,
  ): Promise<AppendOutcome> {
    await this.#flush();
    const target =
      draft.target === undefined
        ? undefined
        : (
            await this.#rows<TargetRow>(
              'SELECT sender_id, ts, kind, deleted, file_id, reactions FROM messages WHERE conv_id = $1 AND seq = $2',
              [draft.conv, draft.target],
            )
          )[0];
    const refusal =
      changeRefusal(draft, kind, target, this.#now) ??
      judge(draft, { lastSeq: conv.lastSeq, targetHasFile: target?.file_id != null });
    if (refusal) return { kind: 'refused', refusal };
    const targetSeq = draft.target as number;
    const seq = ++conv.lastSeq;
    conv.appended = true;
    // A delete carries no text of its own, whatever the draft held.
    const body = kind === 'delete' ? '' : draft.body;
    const message: Message = { conv: draft.conv, seq, cid: draft.cid, from: draft.sender, body, ts: this.#now, kind, target: targetSeq };
    this.#pending.push({ message, fileId: null, kind, target: targetSeq });
    await this.#flush();
    let unreferencedFile: string | undefined;
    if (kind === 'edit') {
      await this.#query('UPDATE messages SET body = $1, edited_at = $2 WHERE conv_id = $3 AND seq = $4', [body, this.#now, draft.conv, targetSeq]);
    } else if (kind === 'react') {
      await this.#query('UPDATE messages SET reactions = $1 WHERE conv_id = $2 AND seq = $3', [
        reactionsAfter(target?.reactions ?? null, draft.sender, body),
        draft.conv,
        targetSeq,
      ]);
    } else {
      // Only the fact that the message existed and was deleted remains (docs/relay.md, "Changes to messages").
      await this.#query(
        `UPDATE messages SET body = '', file = NULL, file_id = NULL, reply_to = NULL, forwarded = 0, edited_at = NULL,
           reactions = NULL, deleted = 1
         WHERE conv_id = $1 AND seq = $2`,
        [draft.conv, targetSeq],
      );
      await this.#query(`UPDATE messages SET body = '' WHERE conv_id = $1 AND target = $2 AND kind = 'edit'`, [draft.conv, targetSeq]);
      const fileId = target?.file_id;
      if (fileId && (await this.#rows('SELECT 1 FROM messages WHERE file_id = $1 LIMIT 1', [fileId])).length === 0) {
        unreferencedFile = fileId;
      }
    }
    // Messages this batch holds as duplicates' answers that the change
    // altered: the target, and for a delete the target's edits (whose bodies
    // it erased). Read again in one query.
    const altered = [...stored].filter(
      ([, cached]) =>
        cached.conv === draft.conv &&
        (cached.seq === targetSeq || (kind === 'delete' && cached.kind === 'edit' && cached.target === targetSeq)),
    );
    if (altered.length > 0) {
      const rows = await this.#rows<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conv_id = $1 AND seq = ANY($2::bigint[])`, [
        draft.conv,
        altered.map(([, cached]) => cached.seq),
      ]);
      const bySeq = new Map(rows.map((row) => [row.seq, toMessage(row)]));
      for (const [key, cached] of altered) stored.set(key, bySeq.get(cached.seq) ?? cached);
    }
    stored.set(senderCidKey(draft.sender, draft.cid), message);
    return { kind: 'stored', message, members: conv.members, ...(unreferencedFile && { unreferencedFile }) };
  }

  /**
   * Writes what is pending and each conversation's new last seq, in one
   * statement when both are due (the common batch: one round trip less
   * under the locks).
   */
  async finish(conversations: Map<string, BatchConversation>): Promise<void> {
    const appended = [...conversations].filter(([, conv]) => conv.appended).map(([id, conv]) => ({ id, lastSeq: conv.lastSeq }));
    await this.#flush(appended.length > 0 ? appended : undefined);
  }

  /** MSG.file for a send's file, or null when it is unknown, unfinished or not readable by the sender. */
  async #messageFile(ref: FileRef, senderId: string): Promise<MessageFile | null> {
    await this.#flush();
    const [row] = await this.#rows<FileRow & { readable: boolean }>(
      `SELECT ${FILE_COLUMNS}, (f.uploader_id = $2 OR EXISTS (
         SELECT 1 FROM messages m JOIN members mb ON mb.conv_id = m.conv_id AND mb.user_id = $2 WHERE m.file_id = f.id)) AS readable
       FROM files f WHERE f.id = $1`,
      [ref.id, senderId],
    );
    if (!row || row.finished_at === null || !row.readable) return null;
    return { ...ref, name: row.name, mime: row.mime, size: row.size };
  }

  /** Inserts the pending rows; with `lastSeqs`, also sets those conversations' last seq (even with no rows pending). */
  async #flush(lastSeqs?: readonly { id: string; lastSeq: number }[]): Promise<void> {
    const rows = this.#pending;
    this.#pending = [];
    const lastSeqValues = lastSeqs ? [lastSeqs.map((conv) => conv.id), lastSeqs.map((conv) => conv.lastSeq)] : [];
    if (rows.length === 0) {
      if (lastSeqs) await this.#query(setLastSeqs(1), lastSeqValues);
      return;
    }
    const column = <T>(pick: (row: NewRow) => T): T[] => rows.map(pick);
    const insert = `INSERT INTO messages (conv_id, seq, sender_id, cid, body, reply_to, ts, file, file_id, kind, target, forwarded)
       SELECT conv_id, seq, sender_id, cid, body, reply_to, $12, file, file_id, kind, target, forwarded
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[],
                   $9::text[], $10::bigint[], $11::int[])
         AS m (conv_id, seq, sender_id, cid, body, reply_to, file, file_id, kind, target, forwarded)`;
    // Two tables: the data-modifying WITH runs both, and neither reads what the other writes.
    await this.#query(lastSeqs ? `WITH inserted AS (${insert}) ${setLastSeqs(13)}` : insert, [
      column((row) => row.message.conv),
      column((row) => row.message.seq),
      column((row) => row.message.from),
      column((row) => row.message.cid),
      column((row) => row.message.body),
      column((row) => row.message.replyTo ?? null),
      column((row) => (row.message.file ? JSON.stringify(row.message.file) : null)),
      column((row) => row.fileId),
      column((row) => row.kind),
      column((row) => row.target),
      column((row) => (row.message.forwarded ? 1 : 0)),
      this.#now,
      ...lastSeqValues,
    ]);
  }

  async #rows<Row extends object>(text: string, values: unknown[]): Promise<Row[]> {
    return (await this.#client.query<Row>(text, values)).rows;
  }

  async #query(text: string, values: unknown[]): Promise<void> {
    await this.#client.query(text, values);
  }
}
