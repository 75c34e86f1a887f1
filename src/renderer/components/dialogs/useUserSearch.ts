import type { User } from '../../../shared/protocol/index.ts';
import { useDebouncedSearch } from '../../hooks/useDebouncedSearch.ts';
import { useActions } from '../../store/useChat.ts';

export interface UserSearch {
  users: User[];
  searching: boolean;
  /** The search finished and found nobody. */
  noMatch: boolean;
  error: string | null;
}

const FAILURE = 'Searching needs the relay. Try again once you are back online.';

/** Searches users by name prefix (on the relay) as the query changes. */
export function useUserSearch(query: string): UserSearch {
  const { searchUsers } = useActions();
  const { results, ...rest } = useDebouncedSearch(query, searchUsers, FAILURE);
  return { users: results, ...rest };
}
