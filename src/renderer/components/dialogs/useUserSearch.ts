import { useEffect, useState } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { useActions } from '../../store/useChat.ts';

/** Typing pauses this long before the relay is asked. */
const SEARCH_DELAY_MS = 250;

export interface UserSearch {
  users: User[];
  searching: boolean;
  /** The search finished and found nobody. */
  noMatch: boolean;
  error: string | null;
}

interface Answer {
  query: string;
  users: User[];
  error: string | null;
}

/** Searches users by name prefix as the query changes. The last answer
 * stays on screen while the next is on its way; late answers to older
 * queries are dropped. */
export function useUserSearch(query: string): UserSearch {
  const { searchUsers } = useActions();
  const [answer, setAnswer] = useState<Answer>({ query: '', users: [], error: null });
  const trimmed = query.trim();

  useEffect(() => {
    if (!trimmed) return;
    let current = true;
    const timer = setTimeout(() => {
      searchUsers(trimmed).then(
        (users) => current && setAnswer({ query: trimmed, users, error: null }),
        () =>
          current &&
          setAnswer({ query: trimmed, users: [], error: 'Searching needs the relay. Try again once you are back online.' }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [trimmed, searchUsers]);

  if (!trimmed) return { users: [], searching: false, noMatch: false, error: null };
  const settled = answer.query === trimmed;
  return {
    users: answer.users,
    searching: !settled,
    noMatch: settled && !answer.error && answer.users.length === 0,
    error: settled ? answer.error : null,
  };
}
