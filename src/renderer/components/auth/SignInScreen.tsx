import { useState, type FormEvent } from 'react';
import { useActions, useChat } from '../../store/useChat.ts';
import { TextField } from '../common/TextField.tsx';
import { authErrorText } from './authErrorText.ts';
import './auth.css';

/** The relay URL typed last time, offered again after signing out. */
const RELAY_URL_KEY = 'duplex.relayUrl';

type Mode = 'sign-in' | 'register';

/** Sign in, or create an account. The desktop app also asks which relay to
 * use; the web client's relay is the origin it was loaded from. After the
 * relay ended the session (token expired or revoked), the alert says so
 * until the user tries again. */
export function SignInScreen() {
  const asksForRelay = useChat((state) => state.isDesktop);
  const signedOutBecause = useChat((state) => (state.status.stopped === 'signed_out' ? state.status.lastCloseReason : null));
  const { signIn, register } = useActions();
  const [mode, setMode] = useState<Mode>('sign-in');
  const [error, setError] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const [pending, setPending] = useState(false);
  const alert = error ?? (tried ? null : signedOutBecause);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    const relayUrl = asksForRelay ? field('relayUrl') : undefined;
    const credentials = { relayUrl, username: field('username'), password: String(form.get('password') ?? '') };
    setPending(true);
    setTried(true);
    setError(null);
    try {
      const result =
        mode === 'register'
          ? await register({ ...credentials, displayName: field('displayName') || undefined })
          : await signIn(credentials);
      if (result.ok) {
        if (relayUrl) localStorage.setItem(RELAY_URL_KEY, relayUrl);
      } else {
        setError(authErrorText(result.code, result.message));
      }
    } catch (failure) {
      setError(`Something went wrong: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setPending(false);
    }
  }

  function switchMode(next: Mode) {
    setMode(next);
    setError(null);
  }

  const registering = mode === 'register';
  return (
    <main className="sign-in">
      <div className="sign-in__card">
        <h1 className="sign-in__title">Duplex</h1>
        <p className="sign-in__subtitle">{registering ? 'Create your account' : 'Sign in to your chats'}</p>
        <form className="sign-in__form" onSubmit={submit} aria-busy={pending}>
          {asksForRelay && (
            <TextField
              label="Relay URL"
              name="relayUrl"
              type="url"
              required
              placeholder="https://chat.example.com"
              defaultValue={localStorage.getItem(RELAY_URL_KEY) ?? ''}
              autoComplete="url"
            />
          )}
          <TextField
            label="Username"
            name="username"
            required
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            hint={registering ? '3 to 32 characters: a–z, 0–9, dot, dash or underscore.' : undefined}
          />
          {registering && <TextField label="Display name" name="displayName" autoComplete="name" hint="What others see. Optional." />}
          <TextField
            label="Password"
            name="password"
            type="password"
            required
            autoComplete={registering ? 'new-password' : 'current-password'}
            hint={registering ? 'At least 8 characters.' : undefined}
          />
          {alert && (
            <p className="sign-in__error" role="alert">
              {alert}
            </p>
          )}
          <button type="submit" className="button button--primary" disabled={pending}>
            {registering ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="sign-in__switch">
          {registering ? 'Already have an account?' : 'New here?'}{' '}
          <button type="button" className="link-button" onClick={() => switchMode(registering ? 'sign-in' : 'register')}>
            {registering ? 'Use an existing account' : 'Create an account'}
          </button>
        </p>
      </div>
    </main>
  );
}
