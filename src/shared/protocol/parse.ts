// Turning raw text into a checked frame. One function per direction; both
// return a result instead of throwing so that the caller decides how to answer
// (the relay with `error bad_frame`, a client by dropping and logging), and
// their messages name the offending field ("send.cid: …").
import type { z } from 'zod';
import { type ClientFrame, clientFrameSchemas, type RelayFrame, relayFrameSchemas } from './frames.ts';

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; message: string; rid?: string };

export function parseClientFrame(text: string): ParseResult<ClientFrame> {
  return parseFrame<ClientFrame>(text, clientFrameSchemas);
}

export function parseRelayFrame(text: string): ParseResult<RelayFrame> {
  return parseFrame<RelayFrame>(text, relayFrameSchemas);
}

/** Checks an already-decoded value, e.g. one that crossed IPC. */
export function checkClientFrame(value: unknown): ParseResult<ClientFrame> {
  return checkFrame<ClientFrame>(value, clientFrameSchemas);
}

function parseFrame<T>(text: string, schemas: Record<string, z.ZodType>): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  return checkFrame<T>(value, schemas);
}

function checkFrame<T>(value: unknown, schemas: Record<string, z.ZodType>): ParseResult<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'frame is not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  // Echo a usable rid even on a bad frame so that the sender can match the
  // error to its request.
  const rid = typeof record.rid === 'string' && record.rid.length > 0 && record.rid.length <= 64 ? record.rid : undefined;
  const withRid = rid === undefined ? {} : { rid };
  const type = record.t;
  if (typeof type !== 'string') return { ok: false, message: 't: expected a string', ...withRid };
  const schema = Object.hasOwn(schemas, type) ? schemas[type] : undefined;
  if (!schema) return { ok: false, message: `t: unknown frame type "${type.slice(0, 32)}"`, ...withRid };
  const result = schema.safeParse(value);
  if (!result.success) return { ok: false, message: `${type}: ${describeIssues(result.error)}`, ...withRid };
  return { ok: true, frame: result.data as T };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(frame)'}: ${issue.message}`)
    .join('; ');
}
