// `send`: store through the group commit, then `ack` to the sending socket and
// `msg` to every other socket of every member. Deduplication and membership
// are the store's (inside the transaction); the content policy is the judge
// below, which the store calls for new messages only. The send rate limit is
// taken as the group commit forms its batch, and given back for a send that
// is then not stored, so resending an acknowledged message never costs a
// token (group-commit.ts); the judge answers `rate_limited` for a draft the
// limit marked, after its content checks. A send in a batch
// the store could not commit is refused `unavailable` (group-commit.ts), and
// its nack carries the cid like any other: the client sends it again later.
// Changes to messages (edit, delete, react) go the same way; the store checks
// their target, the judge their body (docs/relay.md, "Changes to messages").
import { performance } from 'node:perf_hooks';
import {
  type BodyProblem,
  bodyProblem,
  isMessageChangeKind,
  isReactionEmoji,
  isValidThumb,
  MAX_BODY_CODE_POINTS,
  MAX_THUMB_LENGTH,
  type Message,
  type SendFrame,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { ackFrameText, msgFrameText } from '../message-frames.ts';
import type { Session } from '../session.ts';
import type { JudgeContext, MessageDraft, Refusal, SendJudge } from '../store/types.ts';

export async function handleSend(ctx: RelayContext, session: Session, frame: SendFrame): Promise<void> {
  const started = performance.now();
  const { kind } = frame;
  if (kind !== undefined && !isMessageChangeKind(kind)) {
    // Before deduplication: the store can not hold a kind it does not know.
    refuse(ctx, session, frame.cid, invalid(`unknown kind "${kind}"; known: edit, delete, react`));
    return;
  }
  const draft: MessageDraft = {
    sender: session.user.id,
    cid: frame.cid,
    conv: frame.conv,
    body: frame.body,
    replyTo: frame.replyTo,
    file: frame.file,
    forwarded: frame.forwarded,
    kind,
    target: frame.target,
  };
  const outcome = await ctx.groupCommit.submit(draft, session.sendOrder);
  switch (outcome.kind) {
    case 'stored': {
      const { message, members } = outcome;
      // Before the ack: once the sender hears the delete is stored, its file is gone too.
      if (outcome.unreferencedFile !== undefined) await ctx.files.eraseUnreferenced(outcome.unreferencedFile);
      const messageJson = JSON.stringify(message);
      session.sendText(ackFrameText(frame.cid, messageJson));
      publishMessage(ctx, session, members, message, messageJson);
      ctx.metrics.messagesStored.inc();
      ctx.metrics.storedAcks.inc();
      break;
    }
    case 'duplicate': {
      const messageJson = JSON.stringify(outcome.message);
      session.sendText(ackFrameText(frame.cid, messageJson));
      ctx.metrics.duplicateAcks.inc();
      // In a cluster the node that stored it may have died before publishing
      // it: published again, and each session's MessageOrder drops it where
      // it already arrived (docs/scaling.md).
      if (ctx.ordering) publishMessage(ctx, session, await ctx.store.memberIds(frame.conv), outcome.message, messageJson);
      break;
    }
    case 'refused':
      refuse(ctx, session, frame.cid, outcome.refusal);
      return;
  }
  ctx.metrics.sendToAckSeconds.observe((performance.now() - started) / 1000);
}

function refuse(ctx: RelayContext, session: Session, cid: string, refusal: Refusal): void {
  session.sendFrame({ t: 'nack', cid, ...refusal });
  ctx.metrics.nacksByCode[refusal.code].inc();
}

function publishMessage(ctx: RelayContext, session: Session, members: string[], message: Message, messageJson: string): void {
  ctx.fanout.publish(members, {
    kind: 'frame',
    text: msgFrameText(messageJson),
    exceptSession: session.id,
    message: { conv: message.conv, seq: message.seq },
  });
}

/**
 * The relay's judge: pure, so that it can run on the store's thread too
 * (store/store-thread.ts finds it by name in relay/store-functions.ts).
 */
export const judgeSend: SendJudge = (draft, context) => {
  const refusal = draft.kind === undefined ? messageRefusal(draft, context.lastSeq) : changeRefusal(draft, context);
  if (refusal) return refusal;
  // Changes draw on the same bucket: each is a frame multiplied to every member.
  return draft.overLimit ? RATE_LIMITED : null;
};

const RATE_LIMITED: Refusal = { code: 'rate_limited', message: 'too many messages; retry later' };

/** The content rules of an ordinary message. */
function messageRefusal(draft: MessageDraft, lastSeq: number): Refusal | null {
  if (draft.target !== undefined) return invalid('target belongs to changes: set kind edit, delete or react');
  // With a file, the body is an optional caption.
  const problem = bodyProblem(draft.body, draft.file !== undefined);
  if (problem) return invalid(BODY_REFUSALS[problem]);
  const thumb = draft.file?.thumb;
  if (thumb !== undefined && !isValidThumb(thumb)) {
    return invalid(`file.thumb must be a data:image/jpeg or data:image/webp URL of at most ${MAX_THUMB_LENGTH} characters`);
  }
  if (draft.replyTo !== undefined && draft.replyTo > lastSeq) {
    return invalid('replyTo is not a message of this conversation');
  }
  return null;
}

/** The content rules of a change, whose target the store has checked. */
function changeRefusal(draft: MessageDraft, context: JudgeContext): Refusal | null {
  if (draft.file !== undefined || draft.replyTo !== undefined || draft.forwarded !== undefined) {
    return invalid(`a ${draft.kind} carries no file, replyTo or forwarded`);
  }
  switch (draft.kind) {
    case 'edit': {
      // The caption of a message with a file may be edited to nothing, as it may be sent so.
      const problem = bodyProblem(draft.body, context.targetHasFile === true);
      return problem && invalid(BODY_REFUSALS[problem]);
    }
    case 'react':
      return draft.body === '' || isReactionEmoji(draft.body)
        ? null
        : invalid('a reaction is exactly one emoji, or "" to remove yours');
    default:
      return draft.body === '' ? null : invalid('a delete carries no body');
  }
}

/** The nack message for each broken body rule (src/shared/protocol/content.ts). */
const BODY_REFUSALS: Record<BodyProblem, string> = {
  blank: 'body is blank',
  too_long: `body is longer than ${MAX_BODY_CODE_POINTS} characters`,
  too_large: 'body is too large with its surrounding whitespace',
};

function invalid(message: string): Refusal {
  return { code: 'invalid', message };
}
