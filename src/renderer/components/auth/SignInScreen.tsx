import { useId, useState, type FormEvent } from 'react';
import { useActions, useChat } from '../../store/useChat.ts';
import { TextField } from '../common/TextField.tsx';
import { authErrorText } from './authErrorText.ts';
import './auth.css';

type Mode = 'sign-in' | 'register';

/** The URLs in the "Other node URLs" field: one per line, or separated by
 * commas or spaces. The engine checks each (docs/scaling.md, "Clients"). */
function otherRelayUrls(text: string): string[] {
  return text.split(/[\s,]+/).filter((url) => url !== '');
}

/** Sign in, or create an account. The desktop app also asks which relay to
 * use (and, folded away, other nodes of it), offering the URLs of the last
 * sign-in, which the app keeps in its settings; the web client's relay is
 * the origin it was loaded from. After the relay ended the session (token
 * expired or revoked), the alert says so until the user tries again. */
export function SignInScreen() {
  const asksForRelay = useChat((state) => state.isDesktop);
  // Null until the desktop's settings have loaded: the fields are filled then.
  const lastRelayUrls = useChat((state) => state.desktopSettings?.relayUrls ?? null);
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
    const others = asksForRelay ? otherRelayUrls(field('otherRelayUrls')) : [];
    const credentials = {
      relayUrl,
      ...(others.length > 0 ? { otherRelayUrls: others } : {}),
      username: field('username'),
      password: String(form.get('password') ?? ''),
    };
    setPending(true);
    setTried(true);
    setError(null);
    try {
      const result =
        mode === 'register'
          ? await register({ ...credentials, displayName: field('displayName') || undefined })
          : await signIn(credentials);
      if (!result.ok) setError(authErrorText(result.code, result.message));
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
          {asksForRelay && <RelayFields key={lastRelayUrls === null ? 'loading' : 'loaded'} lastRelayUrls={lastRelayUrls ?? []} />}
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

/** The relay's URL, and other nodes of the same relay in a folded field:
 * the engine moves to the next when the one in use fails. Open from the
 * start when the last sign-in named several. */
function RelayFields({ lastRelayUrls }: { lastRelayUrls: string[] }) {
  const othersId = useId();
  const [first = '', ...others] = lastRelayUrls;
  return (
    <>
      <TextField
        label="Relay URL"
        name="relayUrl"
        type="url"
        required
        placeholder="https://chat.example.com"
        defaultValue={first}
        autoComplete="url"
      />
      <details className="sign-in__more" open={others.length > 0}>
        <summary>More relay nodes</summary>
        <div className="text-field">
          <label className="text-field__label" htmlFor={othersId}>
            Other node URLs
          </label>
          <textarea
            id={othersId}
            className="text-field__input"
            name="otherRelayUrls"
            rows={3}
            spellCheck={false}
            autoCapitalize="none"
            placeholder="https://chat2.example.com"
            defaultValue={others.join('\n')}
            aria-describedby={`${othersId}-hint`}
          />
          <p className="text-field__hint" id={`${othersId}-hint`}>
            Other nodes of the same relay, one per line. If the one in use fails, Duplex moves to the next.
          </p>
        </div>
      </details>
    </>
  );
}
