// Mentions (docs/engine.md, "Mentions"): `@username` in a message body names
// a member of its conversation. The engine finds them here once, for every
// ChatMessage it makes (its `mentions`), so the UI highlights exactly what
// the notification rules count as mentioning the user, with no second
// parser of its own.
import type { User } from './protocol/index.ts';
import type { TextRange } from './search/search-text.ts';

export interface Mention extends TextRange {
  /** The mentioned member's id. */
  user: string;
}

/** `@` at the start or after anything but a word character (so that an
 * e-mail address is no mention), then what a username may hold: 3..32 of
 * a-z, 0-9, "_", "." and "-" (src/shared/protocol/http.ts), any case. */
const CANDIDATE = /(?<![\p{L}\p{N}_@])@([a-z0-9_.-]{3,32})/giu;

/** The mentions of members in a body, in order. "@bob." at the end of a
 * sentence is Bob: a candidate that is no username loses trailing dots and
 * dashes until it is one. */
export function findMentions(body: string, members: readonly User[]): Mention[] {
  if (!body.includes('@')) return [];
  const byUsername = new Map(members.map((member) => [member.username.toLowerCase(), member.id]));
  const mentions: Mention[] = [];
  for (const match of body.matchAll(CANDIDATE)) {
    let name = match[1]!.toLowerCase();
    while (!byUsername.has(name) && /[.-]$/.test(name)) name = name.slice(0, -1);
    const user = byUsername.get(name);
    if (user !== undefined) mentions.push({ start: match.index, end: match.index + 1 + name.length, user });
  }
  return mentions;
}
