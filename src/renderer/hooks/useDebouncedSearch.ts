import { useEffect, useState } from 'react';

/** Typing pauses this long before a search runs. */
const SEARCH_DELAY_MS = 200;

export interface DebouncedSearch<T> {
  results: T[];
  searching: boolean;
  /** The search finished and found nothing. */
  noMatch: boolean;
  error: string | null;
}

interface Answer<T> {
  query: string;
  results: T[];
  error: string | null;
}

/** Runs `search` as the query changes, once typing pauses. The last answer
 * stays on screen while the next is on its way; late answers to older
 * queries are dropped. A failed search shows `failureText`. `search` must
 * be stable (an action of the store). */
export function useDebouncedSearch<T>(
  query: string,
  search: (query: string) => Promise<T[]>,
  failureText: string,
): DebouncedSearch<T> {
  const [answer, setAnswer] = useState<Answer<T>>({ query: '', results: [], error: null });
  const trimmed = query.trim();

  useEffect(() => {
    if (!trimmed) return;
    let current = true;
    const timer = setTimeout(() => {
      search(trimmed).then(
        (results) => current && setAnswer({ query: trimmed, results, error: null }),
        () => current && setAnswer({ query: trimmed, results: [], error: failureText }),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [trimmed, search, failureText]);

  if (!trimmed) return { results: [], searching: false, noMatch: false, error: null };
  const settled = answer.query === trimmed;
  return {
    results: answer.results,
    searching: !settled,
    noMatch: settled && !answer.error && answer.results.length === 0,
    error: settled ? answer.error : null,
  };
}
