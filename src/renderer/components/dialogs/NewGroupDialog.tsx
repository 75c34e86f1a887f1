import { useState, type FormEvent } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { useActions } from '../../store/useChat.ts';
import { Modal } from '../common/Modal.tsx';
import { TextField } from '../common/TextField.tsx';
import { MemberPicker } from './MemberPicker.tsx';

/** Name a group and pick its members (MemberPicker). */
export function NewGroupDialog() {
  const { closeDialog, createGroup } = useActions();
  const [title, setTitle] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      await createGroup(title.trim(), members.map((m) => m.id));
    } catch {
      setError('Could not create the group. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <Modal title="New group" onClose={closeDialog}>
      <form className="new-group" onSubmit={submit}>
        <TextField label="Group name" autoComplete="off" required value={title} onChange={(event) => setTitle(event.target.value)} data-autofocus />
        <MemberPicker chosen={members} onChange={setMembers} placeholder="Add people by name or username" />
        <p className="new-group__count" aria-live="polite">
          {members.length === 1 ? '1 member chosen' : `${members.length} members chosen`}
        </p>
        {error && (
          <p className="dialog-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={pending || !title.trim() || members.length === 0}>
          Create group
        </button>
      </form>
    </Modal>
  );
}
