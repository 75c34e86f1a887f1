import type { User } from '../../../shared/protocol/index.ts';
import { Avatar } from '../common/Avatar.tsx';

export const MENTION_LIST_ID = 'mention-suggestions';

export function mentionOptionId(user: User): string {
  return `mention-option-${user.id}`;
}

/** The group members an `@` being typed may mean. The composer keeps the
 * focus and moves the active option (aria-activedescendant); a click
 * chooses too. */
export function MentionSuggestions(props: { members: readonly User[]; active: number; onChoose(user: User): void }) {
  return (
    <ul id={MENTION_LIST_ID} className="mention-suggestions" role="listbox" aria-label="Mention a member">
      {props.members.map((member, index) => (
        <li
          key={member.id}
          id={mentionOptionId(member)}
          role="option"
          aria-selected={index === props.active}
          className="mention-suggestions__option"
          // Before the field's blur, so the choice lands in the field.
          onMouseDown={(event) => {
            event.preventDefault();
            props.onChoose(member);
          }}
        >
          <Avatar id={member.id} name={member.displayName} size="small" />
          <span className="mention-suggestions__name">{member.displayName}</span>
          <span className="mention-suggestions__username">@{member.username}</span>
        </li>
      ))}
    </ul>
  );
}
