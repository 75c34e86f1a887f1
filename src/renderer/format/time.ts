// Dates and times as WhatsApp shows them, in the user's locale: clock times
// on bubbles; "Yesterday", a weekday or a date further back.
import { differenceInCalendarDays } from 'date-fns';

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });
const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

/** Within this many calendar days, a weekday name is clear enough. */
const WEEKDAY_RANGE = 6;

export function formatClockTime(ts: number): string {
  return clock.format(ts);
}

/** The conversation list: a time today, then "Yesterday", a weekday, a date. */
export function formatListTime(ts: number, now = Date.now()): string {
  const days = differenceInCalendarDays(now, ts);
  if (days <= 0) return clock.format(ts);
  if (days === 1) return 'Yesterday';
  if (days <= WEEKDAY_RANGE) return weekday.format(ts);
  return shortDate.format(ts);
}

/** The separator above the first message of a day. */
export function formatDayLabel(ts: number, now = Date.now()): string {
  const days = differenceInCalendarDays(now, ts);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days <= WEEKDAY_RANGE) return weekday.format(ts);
  return longDate.format(ts);
}

export function formatLastSeen(ts: number, now = Date.now()): string {
  return `last seen ${formatDayAndTime(ts, now)}`;
}

/** A device in the account's list of devices. */
export function formatLastActive(ts: number, now = Date.now()): string {
  return `Last active ${formatDayAndTime(ts, now)}`;
}

/** "today at 14:02", "yesterday at 09:15", "04/12/2026 at 18:30". */
function formatDayAndTime(ts: number, now: number): string {
  const days = differenceInCalendarDays(now, ts);
  const time = clock.format(ts);
  if (days <= 0) return `today at ${time}`;
  if (days === 1) return `yesterday at ${time}`;
  return `${shortDate.format(ts)} at ${time}`;
}
