// `send`: store through the group commit, then `ack` to the sending socket and
// `msg` to every other socket of every member. Deduplication and membership
// are the store's (inside the transaction); the content policy and the send
// rate limit are the judge below, which the store calls for new messages only,
// so resending an acknowledged message never costs a token. A send in a batch
// the store could not commit is refused `unavailable` (group-commit.ts), and
// its nack carries the cid like any other: the client sends it again later.
import { performance } from 'node:perf_hooks';
import {
  type BodyProblem,
  bodyProblem,
  isValidThumb,
  MAX_BODY_CODE_POINTS,
  MAX_THUMB_LENGTH,
  type SendFrame,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import { ackFrameText, msgFrameText } from '../message-frames.ts';
import type { RateLimits } from '../rate-limit.ts';
import type { Session } from '../session.ts';
import type { Refusal, SendJudge } from '../store/types.ts';

export async function handleSend(ctx: RelayContext, session: Session, frame: SendFrame): Promise<void> {
  const started = performance.now();
  const outcome = await ctx.groupCommit.submit({
    sender: session.user.id,
    cid: frame.cid,
    conv: frame.conv,
    body: frame.body,
    replyTo: frame.replyTo,
    file: frame.file,
  });
  switch (outcome.kind) {
    case 'stored': {
      const { message, members } = outcome;
      const messageJson = JSON.stringify(message);
      session.sendText(ackFrameText(frame.cid, messageJson));
      ctx.fanout.publish(members, {
        kind: 'frame',
        text: msgFrameText(messageJson),
        exceptSession: session.id,
        message: { conv: message.conv, seq: message.seq },
      });
      ctx.metrics.messagesStored.inc();
      ctx.metrics.storedAcks.inc();
      break;
    }
    case 'duplicate':
      session.sendText(ackFrameText(frame.cid, JSON.stringify(outcome.message)));
      ctx.metrics.duplicateAcks.inc();
      break;
    case 'refused':
      session.sendFrame({ t: 'nack', cid: frame.cid, ...outcome.refusal });
      ctx.metrics.nacksByCode[outcome.refusal.code].inc();
      return;
  }
  ctx.metrics.sendToAckSeconds.observe((performance.now() - started) / 1000);
}

export function sendJudge(rateLimits: RateLimits): SendJudge {
  return (draft, conversation) => {
    // With a file, the body is an optional caption.
    const problem = bodyProblem(draft.body, draft.file !== undefined);
    if (problem) return invalid(BODY_REFUSALS[problem]);
    const thumb = draft.file?.thumb;
    if (thumb !== undefined && !isValidThumb(thumb)) {
      return invalid(`file.thumb must be a data:image/jpeg or data:image/webp URL of at most ${MAX_THUMB_LENGTH} characters`);
    }
    if (draft.replyTo !== undefined && draft.replyTo > conversation.lastSeq) {
      return invalid('replyTo is not a message of this conversation');
    }
    if (!rateLimits.sends.take(draft.sender)) return { code: 'rate_limited', message: 'too many messages; retry later' };
    return null;
  };
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
