// Bodies of the relay's HTTP API (docs/protocol.md, "HTTP").
import { z } from 'zod';
import {
  MAX_DISPLAY_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  USERNAME_PATTERN,
} from './constants.ts';
import { userSchema } from './objects.ts';

export const usernameSchema = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3..32 characters of a-z, 0-9, "_", "." or "-"');

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(MAX_DISPLAY_NAME_LENGTH, `must be at most ${MAX_DISPLAY_NAME_LENGTH} characters`);

export const registerRequestSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

// Login does not check the username pattern: an unknown user and a wrong
// password must get the same answer.
export const loginRequestSchema = z.object({
  username: z.string().max(256),
  password: z.string().max(MAX_PASSWORD_LENGTH * 4),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const authResponseSchema = z.object({ user: userSchema, token: z.string() });
export type AuthResponse = z.infer<typeof authResponseSchema>;

export const HTTP_ERROR_CODES = [
  'invalid',
  'taken',
  'registration_closed',
  'bad_credentials',
  'rate_limited',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'quota_exceeded',
  'conflict',
  'precondition_failed',
  'unsupported_media_type',
  'shutting_down',
  'unavailable',
  'busy',
  'internal',
] as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export const httpErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type HttpErrorBody = { error: { code: HttpErrorCode; message: string } };
