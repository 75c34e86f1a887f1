// Text derived from people's names.

/** Up to two initials: first and last word ("Ada Lovelace" → "AL"). */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0];
  if (!first) return '?';
  const last = words.length > 1 ? words[words.length - 1]! : '';
  // Array.from splits by code point, so an emoji or accented letter stays whole.
  return (Array.from(first)[0]! + (Array.from(last)[0] ?? '')).toLocaleUpperCase();
}

/** A stable hue per id, so a person keeps their avatar colour everywhere. */
export function avatarHue(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

/** The header line while people type: "typing…" in a direct chat, names in
 * a group (the UI contract: "Alice is typing…"). */
export function typingLabel(names: readonly string[], isGroup: boolean): string {
  if (!isGroup) return 'typing…';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
