import type { MessageStatus } from '../../../shared/api.ts';
import { Icon, type IconName } from './Icon.tsx';

/** WhatsApp's marks: a clock while queued, one tick when the relay has it,
 * two when delivered, two blue when read, a red mark when it failed. */
const marks: Record<MessageStatus, { label: string; icon: IconName }> = {
  queued: { label: 'Queued', icon: 'clock' },
  sent: { label: 'Sent', icon: 'check' },
  delivered: { label: 'Delivered', icon: 'double-check' },
  read: { label: 'Read', icon: 'double-check' },
  failed: { label: 'Failed', icon: 'error' },
};

export function StatusMark({ status }: { status: MessageStatus }) {
  const { label, icon } = marks[status];
  return (
    <span className={`status-mark status-mark--${status}`} role="img" aria-label={label} title={label}>
      <Icon name={icon} />
    </span>
  );
}
