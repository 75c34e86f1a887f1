// Message status from receipt watermarks, in a group: a message is delivered
// (read) once every other member has it delivered (read). A message's file
// with its kind and one-line summary, which the UI shows as given.
import { describe, expect, it } from 'vitest';
import { outgoingChatMessage, ownMessageWatermarks, storedChatMessage, withPendingChanges } from '../../src/shared/engine/views.ts';
import { conversation, message, uploadJob } from '../client-store/contract.ts';

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

describe('a message with a file', () => {
  const direct = conversation('d', { members: members.slice(0, 2), receipts: {} });
  const photo = { id: 'f'.repeat(26), name: 'cat.jpg', mime: 'image/jpeg', size: 3, width: 4, height: 3 };

  it('comes with its kind and summary, stored or still uploading', () => {
    const stored = storedChatMessage(message('d', 1, 'bob', { body: 'Look', file: photo }), direct, 'me');
    expect(stored).toMatchObject({ fileKind: 'photo', summary: '📷 Photo Look' });
    const voice = storedChatMessage(message('d', 2, 'bob', { body: '', file: { ...photo, name: 'v.ogg', mime: 'audio/ogg' } }), direct, 'me');
    expect(voice).toMatchObject({ fileKind: 'voice', summary: '🎤 Voice message' });
    const uploading = outgoingChatMessage(uploadJob('u1', 'd', { file: { name: 'Minutes.pdf', mime: 'application/pdf', size: 9 } }), 'me');
    expect(uploading).toMatchObject({ fileKind: 'document', summary: '📄 Minutes.pdf' });
    expect(storedChatMessage(message('d', 3, 'bob'), direct, 'me')).not.toHaveProperty('summary');
  });

  it('sums up the caption an edit waiting in the outbox gives it, and nothing once deleted', () => {
    const stored = storedChatMessage(message('d', 1, 'me', { body: 'old', file: photo }), direct, 'me');
    const edit = { kind: 'edit' as const, cid: 'e1', conv: 'd', targetCid: stored.cid, target: 1, body: 'new caption', createdAt: 20_000, state: 'queued' as const };
    expect(withPendingChanges(stored, [edit], 'me', members)).toMatchObject({ fileKind: 'photo', summary: '📷 Photo new caption' });
    const deletion = { kind: 'delete' as const, cid: 'e2', conv: 'd', targetCid: stored.cid, target: 1, createdAt: 20_000, state: 'queued' as const };
    const deleted = withPendingChanges(stored, [deletion], 'me', members);
    for (const field of ['file', 'fileKind', 'summary']) expect(deleted).not.toHaveProperty(field);
  });
});
