// Requests that the relay answers with a frame carrying the same `rid`
// (create, add, leave, rename, history, users, block, unblock, privacy,
// chatstate, devices, sign_out, profile, group_photo). Each waits for its
// answer, an `error` with its rid, a timeout, or the connection going away,
// whichever comes first.
import type {
  AddFrame,
  BlockFrame,
  ChatStateRequestFrame,
  CreateDirectFrame,
  CreateGroupFrame,
  DevicesRequestFrame,
  ErrorCode,
  GroupPhotoFrame,
  HistoryRequestFrame,
  LeaveFrame,
  PrivacyRequestFrame,
  ProfileFrame,
  RelayFrame,
  RenameFrame,
  SignOutFrame,
  UnblockFrame,
  UsersRequestFrame,
} from '../protocol/index.ts';

type RequestFrame =
  | CreateDirectFrame
  | CreateGroupFrame
  | AddFrame
  | LeaveFrame
  | RenameFrame
  | HistoryRequestFrame
  | UsersRequestFrame
  | BlockFrame
  | UnblockFrame
  | PrivacyRequestFrame
  | ChatStateRequestFrame
  | DevicesRequestFrame
  | SignOutFrame
  | ProfileFrame
  | GroupPhotoFrame;

// Omit applied to each member of the union, so `kind` still tells them apart.
type WithoutRid<F> = F extends unknown ? Omit<F, 'rid'> : never;

/** A request frame before a rid is given to it. */
export type UnsentRequest = WithoutRid<RequestFrame>;

export type AnswerType = Exclude<RelayFrame['t'], 'error'>;

/** Why a request failed: the relay's error code, or `offline` / `timeout`. */
export class RequestError extends Error {
  override name = 'RequestError';
  readonly code: ErrorCode | 'offline' | 'timeout' | 'unexpected';

  constructor(code: RequestError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** Requests waiting for their answers at once. The UI makes a few at a
 * time; beyond this something is looping, and refusing at once keeps memory
 * (and the relay's patience) bounded. */
export const MAX_PENDING_REQUESTS = 100;

interface Pending {
  expected: AnswerType;
  resolve(frame: RelayFrame): void;
  reject(error: RequestError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class Requests {
  private readonly send: (frame: RequestFrame) => boolean;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;

  constructor(send: (frame: RequestFrame) => boolean, timeoutMs: number) {
    this.send = send;
    this.timeoutMs = timeoutMs;
  }

  /** Sends a request and resolves with its answer of the expected type. */
  request<T extends AnswerType>(unsent: UnsentRequest, expected: T): Promise<Extract<RelayFrame, { t: T }>> {
    const rid = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (this.pending.size >= MAX_PENDING_REQUESTS) {
        reject(new RequestError('rate_limited', 'Too many requests are waiting for the relay; try again shortly'));
        return;
      }
      if (!this.send({ ...unsent, rid } as RequestFrame)) {
        reject(new RequestError('offline', 'Not connected to the relay'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new RequestError('timeout', 'The relay did not answer in time'));
      }, this.timeoutMs);
      this.pending.set(rid, { expected, resolve: resolve as (frame: RelayFrame) => void, reject, timer });
    });
  }

  /** Settles the request a frame answers, if any. */
  settle(frame: RelayFrame): void {
    const rid = 'rid' in frame ? frame.rid : undefined;
    if (rid === undefined) return;
    const pending = this.pending.get(rid);
    if (!pending) return;
    this.pending.delete(rid);
    clearTimeout(pending.timer);
    if (frame.t === 'error') pending.reject(new RequestError(frame.code, frame.message));
    else if (frame.t === pending.expected) pending.resolve(frame);
    else pending.reject(new RequestError('unexpected', `Expected a "${pending.expected}" answer, got "${frame.t}"`));
  }

  /** The connection is gone: no answer will come. */
  rejectAll(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new RequestError('offline', 'The connection to the relay was lost'));
    }
    this.pending.clear();
  }
}
