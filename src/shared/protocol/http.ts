// Bodies of the relay's HTTP API (docs/protocol.md, "HTTP").
import { z } from 'zod';
import {
  MAX_ABOUT_LENGTH,
  MAX_DEVICE_NAME_LENGTH,
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

/** A profile's "about" line: one line of text, "" to clear it (docs/protocol.md, "Profiles"). */
export const aboutSchema = z
  .string()
  .trim()
  .max(MAX_ABOUT_LENGTH, `must be at most ${MAX_ABOUT_LENGTH} characters`)
  .regex(/^[^\p{Cc}]*$/u, 'must be one line without control characters');

/** The name of the device signing in, shown in the user's list of devices. */
export const deviceNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(MAX_DEVICE_NAME_LENGTH, `must be at most ${MAX_DEVICE_NAME_LENGTH} characters`)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const registerRequestSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  device: deviceNameSchema.optional(),
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

// Login does not check the username pattern: an unknown user and a wrong
// password must get the same answer.
export const loginRequestSchema = z.object({
  username: z.string().max(256),
  password: z.string().max(MAX_PASSWORD_LENGTH * 4),
  device: deviceNameSchema.optional(),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** POST /api/password (docs/protocol.md, "Changing the password"). */
export const passwordChangeRequestSchema = z.object({
  currentPassword: z.string().max(MAX_PASSWORD_LENGTH * 4),
  newPassword: passwordSchema,
  /** Also sign out every other device of the user. */
  signOutOthers: z.boolean().default(false),
});
export type PasswordChangeRequest = z.input<typeof passwordChangeRequestSchema>;

/** POST /api/account/delete (docs/protocol.md, "Deleting an account"): the password confirms it. */
export const accountDeleteRequestSchema = z.object({
  password: z.string().max(MAX_PASSWORD_LENGTH * 4),
});
export type AccountDeleteRequest = z.input<typeof accountDeleteRequestSchema>;

export const authResponseSchema = z.object({ user: userSchema, token: z.string() });
export type AuthResponse = z.infer<typeof authResponseSchema>;

export const HTTP_ERROR_CODES = [
  'invalid',
  'taken',
  'registration_closed',
  'bad_credentials',
  'account_disabled',
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
