import { type FormEvent, useState } from 'react';
import type { AccountDeletionResult } from '../../../shared/api.ts';
import { useActions } from '../../store/useChat.ts';
import { authErrorText } from '../auth/authErrorText.ts';
import { TextField } from '../common/TextField.tsx';
import { FormOutcome, useFormRequest } from './formOutcome.tsx';

function failureText(result: Extract<AccountDeletionResult, { ok: false }>): string {
  if (result.code === 'bad_credentials') return 'The password is wrong.';
  return authErrorText(result.code, result.message);
}

/** `Delete account` (docs/ui.md, "Account"): it asks for the password and
 * says what goes before `Delete my account` erases the account on the relay;
 * this device is then signed out, like the user's others. */
export function DeleteAccountSection() {
  const { deleteAccount } = useActions();
  const [confirming, setConfirming] = useState(false);
  const { pending, outcome, run } = useFormRequest('Something went wrong');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    void run(async () => {
      const result = await deleteAccount(password);
      // Done: the engine signs this device out and the sign-in screen takes over.
      return result.ok ? { ok: true, text: 'Your account was deleted.' } : { ok: false, text: failureText(result) };
    });
  }

  return (
    <section className="settings__section" aria-labelledby="settings-delete-account">
      <h3 id="settings-delete-account" className="settings__heading">
        Delete account
      </h3>
      {!confirming ? (
        <button type="button" className="button account-danger account-action" onClick={() => setConfirming(true)}>
          Delete account
        </button>
      ) : (
        <form className="account-form" onSubmit={submit}>
          <p className="account-danger__warning">
            This erases your account for everyone: your profile and photo, your devices, and every message and file you sent, which
            show as deleted in every chat. It cannot be undone. Download your data first if you want to keep it.
          </p>
          <TextField label="Password" name="password" type="password" autoComplete="current-password" required autoFocus />
          <div className="account-form__buttons">
            <button type="submit" className="button account-danger" disabled={pending}>
              Delete my account
            </button>
            <button type="button" className="button" disabled={pending} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <FormOutcome outcome={outcome} />
    </section>
  );
}
