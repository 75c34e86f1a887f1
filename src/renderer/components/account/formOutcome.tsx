import { useState } from 'react';

/** What an account form says after it was sent: done (`role="status"`) or not (`role="alert"`). */
export interface Outcome {
  ok: boolean;
  text: string;
}

/** Runs a form's request one at a time: `pending` while it runs, then its outcome; a rejection is an outcome too. */
export function useFormRequest(failurePrefix: string) {
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function run(request: () => Promise<Outcome>): Promise<void> {
    setPending(true);
    setOutcome(null);
    try {
      setOutcome(await request());
    } catch (failure) {
      setOutcome({ ok: false, text: `${failurePrefix}: ${failure instanceof Error ? failure.message : String(failure)}` });
    } finally {
      setPending(false);
    }
  }

  return { pending, outcome, run };
}

export function FormOutcome({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <p className="settings__muted" role="status">
      {outcome.text}
    </p>
  ) : (
    <p className="dialog-error" role="alert">
      {outcome.text}
    </p>
  );
}
