import { describe, expect, it } from 'vitest';
import { MessageWindow } from '../../src/renderer/store/messageWindow.ts';
import { makeMessage } from './fake-api.ts';

const conv = 'c1';
const stored = (seq: number) => makeMessage({ conv, seq, cid: `stored-${seq}` });
const queued = (n: number, ts: number) => makeMessage({ conv, seq: null, cid: `queued-${n}`, mine: true, status: 'queued', ts });

function cids(window: MessageWindow): string[] {
  return Array.from({ length: window.size }, (_, i) => window.at(i)!.cid);
}

function byCid(window: MessageWindow, cid: string) {
  return window.at(window.indexOfCid(cid));
}

function loaded(seqs: number[], hasMoreLocal = false): MessageWindow {
  const window = new MessageWindow();
  window.addFirstPage({ messages: seqs.map(stored), hasMoreLocal });
  return window;
}

describe('MessageWindow', () => {
  it('keeps stored messages by seq and the outbox after them, in the order written', () => {
    const window = loaded([1, 2]);
    window.upsert([queued(1, 100), queued(2, 200), stored(3)]);
    expect(cids(window)).toEqual(['stored-1', 'stored-2', 'stored-3', 'queued-1', 'queued-2']);
  });

  it('updates a message in place by cid, so it is listed once whatever its state', () => {
    const window = loaded([1]);
    const message = queued(1, 100);
    window.upsert([message]);
    window.upsert([{ ...message, seq: 2, status: 'sent' }]);
    window.upsert([{ ...message, seq: 2, status: 'read' }]);
    expect(cids(window)).toEqual(['stored-1', 'queued-1']);
    expect(byCid(window, 'queued-1')).toMatchObject({ seq: 2, status: 'read' });
    expect(window.indexOfSeq(2)).toBe(1);
  });

  it('moves an outbox message whose seq comes before messages that arrived first', () => {
    const window = loaded([1]);
    const mine = queued(1, 100);
    window.upsert([mine]);
    // The relay stored ours as 2, but the other side's 3 reached us before the ack.
    window.upsert([stored(3)]);
    expect(cids(window)).toEqual(['stored-1', 'stored-3', 'queued-1']);
    window.upsert([{ ...mine, seq: 2, status: 'sent' }]);
    expect(cids(window)).toEqual(['stored-1', 'queued-1', 'stored-3']);
  });

  it('counts every change in its version', () => {
    const window = loaded([1]);
    const before = window.version;
    window.upsert([stored(2)]);
    window.remove('stored-1');
    expect(window.version).toBe(before + 2);
    expect(window.remove('missing')).toBe(false);
    expect(window.version).toBe(before + 2);
  });

  it('puts an older page in front and keeps rows that events brought meanwhile', () => {
    const window = loaded([51, 52], true);
    const newer = { ...stored(51), body: 'edited by an event' };
    window.upsert([newer]);
    window.addOlderPage({ messages: [stored(49), stored(50), { ...stored(51), body: 'stale' }], hasMoreLocal: false });
    expect(cids(window)).toEqual(['stored-49', 'stored-50', 'stored-51', 'stored-52']);
    expect(byCid(window, 'stored-51')!.body).toBe('edited by an event');
    expect(window.hasMoreLocal).toBe(false);
    expect(window.oldestSeq()).toBe(49);
    expect(window.newestSeq()).toBe(52);
  });

  it('leaves out older messages while stored ones lie between, and takes them once none do', () => {
    const window = loaded([10, 11], true);
    expect(window.upsert([stored(3)])).toBe(false);
    window.addOlderPage({ messages: [stored(9)], hasMoreLocal: false });
    expect(window.upsert([stored(8)])).toBe(true);
    expect(cids(window)).toEqual(['stored-8', 'stored-9', 'stored-10', 'stored-11']);
  });

  it('replays changes that arrived before the first page on top of it', () => {
    const window = new MessageWindow();
    window.upsert([{ ...stored(2), body: 'newer' }]);
    window.remove('stored-1');
    expect(window.size).toBe(0);
    window.addFirstPage({ messages: [stored(1), stored(2)], hasMoreLocal: false });
    expect(cids(window)).toEqual(['stored-2']);
    expect(byCid(window, 'stored-2')!.body).toBe('newer');
  });

  it('finds positions by seq', () => {
    const window = loaded([2, 4, 6]);
    expect(window.indexOfSeq(4)).toBe(1);
    expect(window.indexOfSeq(5)).toBe(-1);
    expect(window.indexAtOrAfterSeq(5)).toBe(2);
    expect(window.indexAtOrAfterSeq(7)).toBe(3);
  });
});
