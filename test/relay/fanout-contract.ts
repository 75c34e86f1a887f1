// The Fanout contract: what every fan-out implementation (in process now,
// Redis pub/sub later) must do, as a suite to run against a factory. Delivery
// may be asynchronous (through a broker), so the suite waits for events and
// compares them by value: everything crossing a fan-out is plain data.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Fanout, FanoutEvent } from '../../relay/fanout.ts';

export interface FanoutUnderTest {
  /** Two handles on one fan-out: in a distributed implementation, two relay
   * processes; in process, the same object twice. */
  publisher: Fanout;
  subscriber: Fanout;
  dispose(): Promise<void>;
}

const frame = (text: string): FanoutEvent => ({ kind: 'frame', text });

/** Resolves once `check` passes, or fails after a second. */
async function eventually(check: () => void): Promise<void> {
  const deadline = Date.now() + 1_000;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Long enough for a broker to deliver what it was going to deliver. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

export function runFanoutContract(name: string, create: () => Promise<FanoutUnderTest>): void {
  describe(`Fanout contract: ${name}`, () => {
    let subject: FanoutUnderTest;

    beforeEach(async () => {
      subject = await create();
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test('delivers what is published after the subscription resolves, to the users addressed only', async () => {
      const alice: FanoutEvent[] = [];
      const bob: FanoutEvent[] = [];
      await subject.subscriber.subscribe('alice', (event) => alice.push(event));
      await subject.subscriber.subscribe('bob', (event) => bob.push(event));
      subject.publisher.publish(['alice'], frame('for alice'));
      subject.publisher.publish(['alice', 'bob', 'nobody'], frame('for both'));
      await eventually(() => expect(alice).toEqual([frame('for alice'), frame('for both')]));
      await eventually(() => expect(bob).toEqual([frame('for both')]));
    });

    test('carries every kind of event as plain data, fields intact', async () => {
      const got: FanoutEvent[] = [];
      await subject.subscriber.subscribe('alice', (event) => got.push(event));
      const events: FanoutEvent[] = [
        { kind: 'frame', text: '{"t":"msg"}', exceptSession: 's-1', message: { conv: 'c', seq: 7 } },
        { kind: 'revoke', tokenHash: 'abc' },
      ];
      for (const event of events) subject.publisher.publish(['alice'], event);
      await eventually(() => expect(got).toEqual(events));
    });

    test('keeps the order of one publisher’s events to one user', async () => {
      const got: string[] = [];
      await subject.subscriber.subscribe('alice', (event) => got.push(event.kind === 'frame' ? event.text : ''));
      const texts = Array.from({ length: 50 }, (_, i) => `event ${i}`);
      for (const text of texts) subject.publisher.publish(['alice'], frame(text));
      await eventually(() => expect(got).toEqual(texts));
    });

    test('gives each listener of a user the event, and unsubscribing stops only that one', async () => {
      const first: FanoutEvent[] = [];
      const second: FanoutEvent[] = [];
      const unsubscribeFirst = await subject.subscriber.subscribe('alice', (event) => first.push(event));
      await subject.subscriber.subscribe('alice', (event) => second.push(event));
      subject.publisher.publish(['alice'], frame('one'));
      await eventually(() => expect([first.length, second.length]).toEqual([1, 1]));
      unsubscribeFirst();
      subject.publisher.publish(['alice'], frame('two'));
      await eventually(() => expect(second).toEqual([frame('one'), frame('two')]));
      await settle();
      expect(first).toEqual([frame('one')]);
    });

    test('delivers nothing after close', async () => {
      const got: FanoutEvent[] = [];
      await subject.subscriber.subscribe('alice', (event) => got.push(event));
      await subject.subscriber.close();
      subject.publisher.publish(['alice'], frame('late'));
      await settle();
      expect(got).toEqual([]);
    });
  });
}
