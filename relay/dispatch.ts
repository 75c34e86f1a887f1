// What happens to each frame a socket receives: binary frames and bad frames
// are answered at once (close 1003; `error bad_frame`, and close 1008 when
// they pile up), the version of a `hello` is checked before anything else,
// frames before `hello` are refused as unauthenticated, and every other frame
// is queued on its session and run by its handler, whose exceptions become
// `error` frames instead of crashing anything.
import type { RawData } from 'ws';
import { CLOSE_CODES, checkClientFrame, PROTOCOL_VERSION } from '../src/shared/protocol/index.ts';
import type { RelayContext } from './context.ts';
import { Refused } from './handlers/guards.ts';
import { handleHello } from './handlers/hello.ts';
import { handlerFor, type SessionFrame } from './handlers/index.ts';
import type { Session } from './session.ts';

export function receiveFrame(ctx: RelayContext, session: Session, data: RawData, isBinary: boolean): void {
  try {
    dispatch(ctx, session, data, isBinary);
  } catch (error) {
    // A bug here must cost one frame, not the process.
    ctx.log.error({ err: error, session: session.id, user: session.userId }, 'frame dispatch failed');
    session.sendError('internal', 'internal error');
  }
}

function dispatch(ctx: RelayContext, session: Session, data: RawData, isBinary: boolean): void {
  if (session.isClosed) return;
  if (isBinary) {
    session.close(CLOSE_CODES.binaryFrame, 'binary frames are not supported');
    return;
  }
  const bytes = toBuffer(data);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    refuseBadFrame(session, 'frame is not valid JSON');
    return;
  }
  if (session.state === 'awaiting_hello' && isHelloOfAnotherVersion(value)) {
    session.close(CLOSE_CODES.unsupportedVersion, 'unsupported_version');
    return;
  }
  const parsed = checkClientFrame(value);
  if (!parsed.ok) {
    refuseBadFrame(session, parsed.message, parsed.rid);
    return;
  }
  const frame = parsed.frame;
  if (frame.t === 'hello') {
    if (session.state !== 'awaiting_hello') {
      session.sendError('invalid', 'hello was already received');
      return;
    }
    session.helloReceived();
    session.enqueue(bytes.length, () => handleHello(ctx, session, frame), false);
    return;
  }
  if (session.state === 'awaiting_hello') {
    session.sendError('unauthenticated', 'send hello first', ridOf(frame));
    return;
  }
  const { handle, overlap } = handlerFor(frame);
  session.enqueue(bytes.length, () => runHandler(ctx, session, frame, handle), overlap);
}

function refuseBadFrame(session: Session, message: string, rid?: string): void {
  if (session.badFrame()) session.close(CLOSE_CODES.tooManyBadFrames, 'too many bad frames');
  else session.sendError('bad_frame', message, rid);
}

/** `v` is looked at before the shape, so that a future hello gets 4002 even if its other fields changed. */
function isHelloOfAnotherVersion(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { t, v } = value as { t?: unknown; v?: unknown };
  return t === 'hello' && typeof v === 'number' && v !== PROTOCOL_VERSION;
}

async function runHandler(
  ctx: RelayContext,
  session: Session,
  frame: SessionFrame,
  handle: (ctx: RelayContext, session: Session, frame: SessionFrame) => Promise<void>,
): Promise<void> {
  try {
    await handle(ctx, session, frame);
  } catch (error) {
    const rid = ridOf(frame);
    if (error instanceof Refused) {
      session.sendError(error.code, error.message, rid, error.users);
      return;
    }
    ctx.log.error({ err: error, session: session.id, user: session.userId, frame: frame.t }, 'frame handler failed');
    session.sendError('internal', 'internal error', rid);
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function ridOf(frame: SessionFrame): string | undefined {
  return 'rid' in frame ? frame.rid : undefined;
}
