import { describe, expect, it } from 'vitest';
import { findMentions } from '../../src/shared/mentions.ts';

const members = [
  { id: 'u1', username: 'bob', displayName: 'Bob' },
  { id: 'u2', username: 'ann.lee', displayName: 'Ann Lee' },
  { id: 'u3', username: 'carol-x', displayName: 'Carol' },
];

describe('findMentions', () => {
  it('finds @username of members, in any case, with their ranges', () => {
    const body = '@bob and @Ann.Lee, see @carol-x';
    expect(findMentions(body, members)).toEqual([
      { start: 0, end: 4, user: 'u1' },
      { start: 9, end: 17, user: 'u2' },
      { start: 23, end: 31, user: 'u3' },
    ]);
  });

  it('ends a mention before the dots and dashes that close a sentence', () => {
    expect(findMentions('Thanks @bob.', members)).toEqual([{ start: 7, end: 11, user: 'u1' }]);
    expect(findMentions('ask @carol-x--', members)).toEqual([{ start: 4, end: 12, user: 'u3' }]);
  });

  it('ignores non-members, e-mail addresses, doubled @ and names too short', () => {
    expect(findMentions('@dave bob@bob.example @@bob @bo', members)).toEqual([]);
    expect(findMentions('no mentions here', members)).toEqual([]);
    expect(findMentions('@bob', [])).toEqual([]);
  });

  it('takes a mention inside punctuation and after non-Latin text', () => {
    expect(findMentions('(@bob) «@bob»', members).map((m) => m.start)).toEqual([1, 8]);
  });
});
