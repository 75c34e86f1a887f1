import { useState } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { TextField } from '../common/TextField.tsx';
import { UserOption } from './UserOption.tsx';
import { UserSearchResults } from './UserSearchResults.tsx';
import { useUserSearch } from './useUserSearch.ts';

interface MemberPickerProps {
  chosen: readonly User[];
  onChange: (chosen: User[]) => void;
  /** People never offered (those already in the group). */
  excludedIds?: ReadonlySet<string>;
  placeholder: string;
}

/** Choosing people for a group (New group, Group info): search by name, then
 * toggle people on and off. Chosen people stay listed first whatever the
 * search shows. The search text is the picker's own; remount it (a new
 * `key`) to clear it. */
export function MemberPicker({ chosen, onChange, excludedIds, placeholder }: MemberPickerProps) {
  const [query, setQuery] = useState('');
  const search = useUserSearch(query);

  const isChosen = (user: User) => chosen.some((u) => u.id === user.id);
  const shown = [...chosen, ...search.users.filter((user) => !isChosen(user) && !excludedIds?.has(user.id))];

  function toggle(user: User) {
    onChange(isChosen(user) ? chosen.filter((u) => u.id !== user.id) : [...chosen, user]);
  }

  return (
    <>
      <TextField
        label="Search users"
        placeholder={placeholder}
        autoComplete="off"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <UserSearchResults
        search={search}
        users={shown}
        renderUser={(user) => <UserOption user={user} selected={isChosen(user)} onClick={() => toggle(user)} />}
      />
    </>
  );
}
