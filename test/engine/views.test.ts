// Message status from receipt watermarks, in a group: a message is delivered
// (read) once every other member has it delivered (read).
import { describe, expect, it } from 'vitest';
import { ownMessageWatermarks, storedChatMessage } from '../../src/shared/engine/views.ts';
import { conversation, message } from '../client-store/contract.ts';

const members = ['me', 'bob', 'carol'].map((id) => ({ id, username: id, displayName: id }));

describe('own message status', () => {
  it('follows the lowest watermark among the other members', () => {
    const group = conversation('g', {
      members,
      receipts: { me: { delivered: 9, read: 9 }, bob: { delivered: 8, read: 5 }, carol: { delivered: 6, read: 3 } },
      cursor: 9,
    });
    expect(ownMessageWatermarks(group, 'me')).toEqual({ delivered: 6, read: 3 });
    const status = (seq: number) => storedChatMessage(message('g', seq, 'me'), group, 'me').status;
    expect([3, 4, 6, 7].map(status)).toEqual(['read', 'delivered', 'delivered', 'sent']);
    expect(storedChatMessage(message('g', 1, 'bob'), group, 'me')).not.toHaveProperty('status');
  });

  it('counts a member without receipts as having nothing, and a lone member as sent', () => {
    const newcomer = conversation('g', { members, receipts: { bob: { delivered: 5, read: 5 } } });
    expect(ownMessageWatermarks(newcomer, 'me')).toEqual({ delivered: 0, read: 0 });
    const alone = conversation('g', { members: [members[0]!], receipts: {} });
    expect(storedChatMessage(message('g', 1, 'me'), alone, 'me').status).toBe('sent');
  });
});
