// An HTTP error answer: thrown by a route, turned into `{"error": {"code",
// "message"}}` with its status and headers by http.ts.
import type { HttpErrorCode } from '../src/shared/protocol/index.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: HttpErrorCode;
  readonly headers: Record<string, string>;

  constructor(status: number, code: HttpErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
