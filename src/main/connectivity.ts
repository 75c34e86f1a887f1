// Tells the engine when the network is probably back: after the machine
// resumes from sleep, and when Chromium's view of connectivity (`net.online`)
// goes from offline to online. Main has no event for the latter, so it is
// polled; the poll is a property read, and its timer does not keep the
// process alive.
import type { PowerMonitor } from 'electron';

export const ONLINE_POLL_MS = 3_000;

export type BackOnlineReason = 'resume' | 'network';

export function watchConnectivity(options: {
  powerMonitor: Pick<PowerMonitor, 'on' | 'off'>;
  isOnline: () => boolean;
  onBackOnline: (reason: BackOnlineReason) => void;
}): () => void {
  const { powerMonitor, isOnline, onBackOnline } = options;
  const onResume = (): void => onBackOnline('resume');
  powerMonitor.on('resume', onResume);
  let wasOnline = isOnline();
  const poll = setInterval(() => {
    const online = isOnline();
    if (online && !wasOnline) onBackOnline('network');
    wasOnline = online;
  }, ONLINE_POLL_MS);
  poll.unref();
  return () => {
    clearInterval(poll);
    powerMonitor.off('resume', onResume);
  };
}
