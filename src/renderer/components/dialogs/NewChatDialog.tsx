import { useState } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { useActions } from '../../store/useChat.ts';
import { Modal } from '../common/Modal.tsx';
import { TextField } from '../common/TextField.tsx';
import { UserOption } from './UserOption.tsx';
import { UserSearchResults } from './UserSearchResults.tsx';
import { useUserSearch } from './useUserSearch.ts';

/** Find a user and open the direct conversation with them (the relay
 * returns the existing one if there is one). */
export function NewChatDialog() {
  const { closeDialog, startDirectChat } = useActions();
  const [query, setQuery] = useState('');
  const search = useUserSearch(query);
  const [error, setError] = useState<string | null>(null);

  async function choose(user: User) {
    setError(null);
    try {
      await startDirectChat(user.id);
    } catch {
      setError(`Could not start a chat with ${user.displayName}. Check your connection and try again.`);
    }
  }

  return (
    <Modal title="New chat" onClose={closeDialog}>
      <TextField
        label="Search users"
        placeholder="Name or username"
        autoComplete="off"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        data-autofocus
      />
      <UserSearchResults search={search} users={search.users} renderUser={(user) => <UserOption user={user} onClick={() => void choose(user)} />} />
      {error && (
        <p className="dialog-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
