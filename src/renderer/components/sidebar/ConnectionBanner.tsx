import type { ConnectionState, ConnectionStatus } from '../../../shared/api.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { Icon } from '../common/Icon.tsx';
import { RetryCountdown } from './RetryCountdown.tsx';

function headline(state: Exclude<ConnectionState, 'online'>, stopped: ConnectionStatus['stopped']): string {
  if (stopped === 'update_needed') return 'This version of Duplex is too old for the relay: update the app.';
  switch (state) {
    case 'offline':
      return 'Offline: messages will be sent when you are back online';
    case 'connecting':
      return 'Connecting…';
    case 'syncing':
      return 'Syncing messages…';
  }
}

/** Says why the app is not online, and offers to reconnect at once instead
 * of waiting for the backoff timer. Hidden while online. */
export function ConnectionBanner() {
  const status = useChat((state) => state.status);
  const { retryNow } = useActions();
  if (status.state === 'online') return null;

  const { lastCloseReason, nextRetryAt } = status;
  return (
    <section className={`connection-banner connection-banner--${status.state}`} aria-label="Connection">
      <span className="connection-banner__icon">
        <Icon name="cloud-off" />
      </span>
      <div className="connection-banner__text">
        {/* Only the headline is live: the countdown would be read every second. */}
        <p className="connection-banner__headline" role="status">
          {headline(status.state, status.stopped)}
        </p>
        {(lastCloseReason || nextRetryAt !== null) && (
          <p className="connection-banner__details">
            {lastCloseReason}
            {lastCloseReason && nextRetryAt !== null && ' · '}
            {nextRetryAt !== null && <RetryCountdown key={nextRetryAt} at={nextRetryAt} />}
          </p>
        )}
      </div>
      <button type="button" className="button button--small" onClick={retryNow}>
        Retry now
      </button>
    </section>
  );
}
