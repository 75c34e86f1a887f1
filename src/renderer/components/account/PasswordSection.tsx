import type { FormEvent } from 'react';
import type { PasswordChangeResult } from '../../../shared/api.ts';
import { useActions } from '../../store/useChat.ts';
import { authErrorText } from '../auth/authErrorText.ts';
import { TextField } from '../common/TextField.tsx';
import { FormOutcome, useFormRequest } from './formOutcome.tsx';

function failureText(result: Extract<PasswordChangeResult, { ok: false }>): string {
  if (result.code === 'bad_credentials') return 'The current password is wrong.';
  return authErrorText(result.code, result.message);
}

/** Changing the password (docs/ui.md, "Account"): the current one proves it
 * is the user; optionally every other device is signed out with it.
 * `devicesChanged` tells the device list to read itself again. */
export function PasswordSection({ devicesChanged }: { devicesChanged: () => void }) {
  const { changePassword } = useActions();
  const { pending, outcome, run } = useFormRequest('Something went wrong');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const signOutOthers = data.get('signOutOthers') === 'on';
    void run(async () => {
      const result = await changePassword({
        currentPassword: String(data.get('currentPassword') ?? ''),
        newPassword: String(data.get('newPassword') ?? ''),
        signOutOthers,
      });
      if (!result.ok) return { ok: false, text: failureText(result) };
      form.reset();
      if (signOutOthers) devicesChanged();
      return { ok: true, text: signOutOthers ? 'Password changed. Your other devices were signed out.' : 'Password changed.' };
    });
  }

  return (
    <section className="settings__section" aria-labelledby="settings-password">
      <h3 id="settings-password" className="settings__heading">
        Password
      </h3>
      <form className="account-form" onSubmit={submit}>
        <TextField label="Current password" name="currentPassword" type="password" autoComplete="current-password" required />
        <TextField label="New password" name="newPassword" type="password" autoComplete="new-password" minLength={8} required />
        <label className="settings__choice">
          <input type="checkbox" name="signOutOthers" />
          Also sign out my other devices
        </label>
        <button type="submit" className="button button--primary" disabled={pending}>
          Change password
        </button>
      </form>
      <FormOutcome outcome={outcome} />
    </section>
  );
}
