import type { ReactNode } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import type { UserSearch } from './useUserSearch.ts';

/** The search's state in words, then the users to pick from. */
export function UserSearchResults({ search, users, renderUser }: { search: UserSearch; users: readonly User[]; renderUser(user: User): ReactNode }) {
  return (
    <div className="user-results">
      {search.error ? (
        <p className="dialog-error" role="alert">
          {search.error}
        </p>
      ) : (
        <p className="user-results__status" role="status">
          {search.searching ? 'Searching…' : search.noMatch ? 'No users found.' : ''}
        </p>
      )}
      {users.length > 0 && (
        <ul className="user-results__list" aria-label="Users">
          {users.map((user) => (
            <li key={user.id}>{renderUser(user)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
