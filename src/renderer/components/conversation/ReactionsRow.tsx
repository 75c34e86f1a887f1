import type { ChatMessage } from '../../../shared/api.ts';

/** The reactions under a message: one button per emoji, named `EMOJI COUNT`
 * (the UI contract), most given first; pressing one toggles the user's own. */
export function ReactionsRow({
  reactions,
  me,
  onToggle,
}: {
  reactions: NonNullable<ChatMessage['reactions']>;
  me: string | undefined;
  onToggle(emoji: string): void;
}) {
  const counts = new Map<string, number>();
  for (const emoji of Object.values(reactions)) counts.set(emoji, (counts.get(emoji) ?? 0) + 1);
  const mine = me === undefined ? undefined : reactions[me];
  const ordered = [...counts].sort((a, b) => b[1] - a[1]);
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {ordered.map(([emoji, count]) => (
        <button
          key={emoji}
          type="button"
          className={mine === emoji ? 'reactions__button reactions__button--mine' : 'reactions__button'}
          aria-pressed={mine === emoji}
          onClick={() => onToggle(emoji)}
        >
          {emoji} {count}
        </button>
      ))}
    </div>
  );
}
