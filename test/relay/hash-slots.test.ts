// The relay-wide bound on password hashes (relay/hash-slots.ts): real
// timers, work that takes real time.
import { describe, expect, test } from 'vitest';
import { HashSlots, HashSlotsBusy } from '../../relay/hash-slots.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HashSlots', () => {
  test('never runs more than its concurrency at once, and runs every waiter in turn', async () => {
    const slots = new HashSlots(2, 10, 5_000);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        slots.run(async () => {
          running++;
          most = Math.max(most, running);
          await pause(10);
          running--;
          return index;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(2);
    expect(slots.running).toBe(0);
  });

  test('refuses at once beyond the queue, and after the longest wait', async () => {
    const slots = new HashSlots(1, 1, 50);
    const long = slots.run(() => pause(200));
    const waiting = slots.run(async () => 'never in time');
    await expect(slots.run(async () => 'no room')).rejects.toBeInstanceOf(HashSlotsBusy);
    await expect(waiting).rejects.toBeInstanceOf(HashSlotsBusy);
    await long;
    // The slot is free again.
    await expect(slots.run(async () => 'now')).resolves.toBe('now');
  });

  test('frees the slot when the work fails', async () => {
    const slots = new HashSlots(1, 0, 50);
    await expect(slots.run(() => Promise.reject(new Error('hash failed')))).rejects.toThrow('hash failed');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
