import type { AuthErrorCode } from '../../../shared/api.ts';

/** What the sign-in form says for each failure: what happened and what to
 * do, in the user's words rather than the relay's. */
export function authErrorText(code: AuthErrorCode, relayMessage: string): string {
  switch (code) {
    case 'bad_credentials':
      return 'Wrong username or password.';
    case 'taken':
      return 'That username is taken. Choose another one.';
    case 'unreachable':
      return 'Cannot reach the relay. Check the address and your connection, then try again.';
    case 'registration_closed':
      return 'This relay does not accept new accounts.';
    case 'rate_limited':
      return 'Too many attempts. Wait a few minutes, then try again.';
    case 'busy':
      return 'The relay is busy. Try again in a moment.';
    case 'invalid':
      // The relay says which field is wrong; that is the useful part.
      return relayMessage ? `Check your details: ${relayMessage}` : 'Check your details and try again.';
    case 'account_disabled':
      return 'This account is disabled. Ask the operator of this relay.';
    case 'unauthorized':
      return 'This device is no longer signed in. Sign in again.';
    case 'internal':
      return 'The relay could not complete the request. Try again later.';
  }
}
