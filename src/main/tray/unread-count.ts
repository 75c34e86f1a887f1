// How an unread count is told: the short label of the icons (one of the
// pre-rendered variants: none, "1" to "9", "9+") and the words of tooltips
// and menus.

/** Every label unreadLabel() returns, and so every icon variant there is. */
export const UNREAD_LABELS: readonly (string | null)[] = [null, '1', '2', '3', '4', '5', '6', '7', '8', '9', '9+'];

export function unreadLabel(count: number): string | null {
  if (count <= 0) return null;
  return count > 9 ? '9+' : String(count);
}

export function unreadSummary(count: number): string {
  if (count <= 0) return 'No unread messages';
  return count === 1 ? '1 unread message' : `${count} unread messages`;
}
