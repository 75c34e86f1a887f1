// The `@name` being typed at the caret, for the composer's member
// suggestions: `@` at the start or after a space, then what a username may
// hold (src/shared/mentions.ts finds the finished mentions).
import type { User } from '../../shared/protocol/index.ts';

export interface MentionQuery {
  /** Where the `@` is. */
  start: number;
  /** What follows it up to the caret, lower-cased. */
  prefix: string;
}

const TYPING = /(?:^|\s)@([A-Za-z0-9_.-]{0,32})$/;

export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const match = TYPING.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1]!.length - 1, prefix: match[1]!.toLowerCase() };
}

/** Members whose username or display name (or a word of it) begins with the prefix. */
export function matchingMembers(members: readonly User[], prefix: string, except: string | undefined): User[] {
  return members.filter(
    (member) =>
      member.id !== except &&
      (member.username.startsWith(prefix) || member.displayName.toLowerCase().split(/\s+/).some((word) => word.startsWith(prefix))),
  );
}
