import { describe, expect, it } from 'vitest';
import { avatarHue, initialsOf, typingLabel } from '../../src/renderer/format/names.ts';
import { formatDayLabel, formatLastSeen, formatListTime } from '../../src/renderer/format/time.ts';

const now = new Date(2025, 5, 18, 15, 30).getTime(); // a Wednesday afternoon
const daysAgo = (days: number, hour = 9) => new Date(2025, 5, 18 - days, hour, 5).getTime();

describe('names', () => {
  it('takes the initials of the first and last word', () => {
    expect(initialsOf('Ada Lovelace')).toBe('AL');
    expect(initialsOf('  grace  brewster murray hopper ')).toBe('GH');
    expect(initialsOf('Émile')).toBe('É');
    expect(initialsOf('')).toBe('?');
  });

  it('gives each id one hue', () => {
    expect(avatarHue('u-1')).toBe(avatarHue('u-1'));
    expect(avatarHue('u-1')).toBeGreaterThanOrEqual(0);
    expect(avatarHue('u-1')).toBeLessThan(360);
  });

  it('says who is typing as the UI contract spells it', () => {
    expect(typingLabel(['Alice'], false)).toBe('typing…');
    expect(typingLabel(['Alice'], true)).toBe('Alice is typing…');
    expect(typingLabel(['Alice', 'Bob'], true)).toBe('Alice and Bob are typing…');
    expect(typingLabel(['Alice', 'Bob', 'Carol'], true)).toBe('3 people are typing…');
  });
});

describe('times', () => {
  it('labels days like WhatsApp', () => {
    expect(formatDayLabel(daysAgo(0), now)).toBe('Today');
    expect(formatDayLabel(daysAgo(1), now)).toBe('Yesterday');
    expect(formatDayLabel(daysAgo(3), now)).toBe(new Intl.DateTimeFormat(undefined, { weekday: 'long' }).format(daysAgo(3)));
    expect(formatDayLabel(daysAgo(30), now)).toBe(new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(daysAgo(30)));
  });

  it('shows a clock time for today in the list, a day name before', () => {
    expect(formatListTime(daysAgo(0), now)).toBe(new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(daysAgo(0)));
    expect(formatListTime(daysAgo(1), now)).toBe('Yesterday');
  });

  it('says when someone was last seen', () => {
    const time = (ts: number) => new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(ts);
    expect(formatLastSeen(daysAgo(0), now)).toBe(`last seen today at ${time(daysAgo(0))}`);
    expect(formatLastSeen(daysAgo(1), now)).toBe(`last seen yesterday at ${time(daysAgo(1))}`);
  });
});
