import { useActions } from '../../store/useChat.ts';
import { FormOutcome, useFormRequest } from './formOutcome.tsx';

/** `Download my data` (docs/ui.md, "Account"): everything the relay holds
 * about the user, as a ZIP saved through the native save dialog on the
 * desktop, downloaded on the web. */
export function YourDataSection() {
  const { downloadMyData } = useActions();
  const { pending, outcome, run } = useFormRequest('Could not download your data');

  function download() {
    void run(async () => {
      await downloadMyData();
      return { ok: true, text: 'Your data is saved.' };
    });
  }

  return (
    <section className="settings__section" aria-labelledby="settings-your-data">
      <h3 id="settings-your-data" className="settings__heading">
        Your data
      </h3>
      <p className="settings__muted">
        A ZIP file of everything the relay keeps about you: your profile, devices, conversations, the messages you sent and your
        files.
      </p>
      <button type="button" className="button account-action" disabled={pending} onClick={download}>
        {pending ? 'Preparing…' : 'Download my data'}
      </button>
      <FormOutcome outcome={outcome} />
    </section>
  );
}
