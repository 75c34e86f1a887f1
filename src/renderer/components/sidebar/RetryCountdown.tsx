import { useNow } from '../../hooks/useNow.ts';

/** "Retrying in 5 s." until the engine's next attempt is due. */
export function RetryCountdown({ at }: { at: number }) {
  const seconds = Math.ceil((at - useNow()) / 1_000);
  return <>{seconds > 0 ? `Retrying in ${seconds} s.` : 'Retrying…'}</>;
}
