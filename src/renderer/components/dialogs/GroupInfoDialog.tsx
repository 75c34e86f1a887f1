import { type ChangeEvent, useEffect, useRef, useState, type FormEvent } from 'react';
import type { User } from '../../../shared/protocol/index.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { cropPhoto } from '../account/cropPhoto.ts';
import { Avatar } from '../common/Avatar.tsx';
import { Modal } from '../common/Modal.tsx';
import { TextField } from '../common/TextField.tsx';
import { MemberPicker } from './MemberPicker.tsx';

/** Group titles are 1 to 64 characters once trimmed. */
export const MAX_GROUP_TITLE = 64;

type Section = 'photo' | 'rename' | 'add' | 'leave';

/** A group's photo (chosen: cropped, shrunk and set at once; or removed),
 * its title (rename), its members, adding members (search, toggle,
 * Add) and leaving it (after a confirmation). About the open conversation:
 * ChatScreen shows it only while one is open, and the store closes it when
 * that conversation goes away. */
export function GroupInfoDialog({ id }: { id: string }) {
  const conversation = useChat((state) => state.conversations.get(id));
  const me = useChat((state) => state.account?.user.id);
  const { closeDialog, renameGroup, addGroupMembers, leaveGroup, setGroupPhoto } = useActions();
  const [title, setTitle] = useState(conversation?.title ?? '');
  const [chosen, setChosen] = useState<User[]>([]);
  /** Bumped after members are added, to give the picker a fresh search. */
  const [addRound, setAddRound] = useState(0);
  const [confirmingLeave, setConfirmingLeave] = useState(false);
  const [pending, setPending] = useState<Section | null>(null);
  const [error, setError] = useState<{ section: Section; text: string } | null>(null);
  // Focus follows the leave step: to Cancel when asked, back to Leave group
  // when cancelled (the button that had it is gone either way).
  const leaveStepRef = useRef<HTMLButtonElement>(null);
  const shownLeaveStep = useRef(confirmingLeave);
  useEffect(() => {
    if (shownLeaveStep.current === confirmingLeave) return;
    shownLeaveStep.current = confirmingLeave;
    leaveStepRef.current?.focus();
  }, [confirmingLeave]);

  if (!conversation || conversation.kind !== 'group') return null;
  const members = conversation.members;

  const memberIds = new Set(members.map((m) => m.id));

  async function run(section: Section, task: () => Promise<void>, failure: string): Promise<boolean> {
    setError(null);
    setPending(section);
    try {
      await task();
      return true;
    } catch {
      setError({ section, text: failure });
      return false;
    } finally {
      setPending(null);
    }
  }

  function choosePhoto(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    if (!file) return;
    void run('photo', async () => setGroupPhoto(id, (await cropPhoto(file)).bytes), 'Could not set this photo. Choose a JPEG, PNG or WebP image and check your connection.');
  }

  async function rename(event: FormEvent) {
    event.preventDefault();
    const trimmed = title.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_GROUP_TITLE) {
      setError({ section: 'rename', text: `A group name has 1 to ${MAX_GROUP_TITLE} characters.` });
      return;
    }
    if (await run('rename', () => renameGroup(id, trimmed), 'Could not rename the group. Check your connection and try again.')) {
      setTitle(trimmed);
    }
  }

  async function add() {
    const ids = chosen.map((u) => u.id);
    if (await run('add', () => addGroupMembers(id, ids), 'Could not add the members. Check your connection and try again.')) {
      setChosen([]);
      setAddRound((round) => round + 1);
    }
  }

  function leave() {
    // On success the store removes the conversation and closes this dialog.
    void run('leave', () => leaveGroup(id), 'Could not leave the group. Check your connection and try again.');
  }

  const errorFor = (section: Section) =>
    error?.section === section && (
      <p className="dialog-error" role="alert">
        {error.text}
      </p>
    );

  return (
    <Modal title="Group info" onClose={closeDialog}>
      <div className="account-photo">
        <Avatar id={conversation.id} name={conversation.title} photo={conversation.photo} size="large" />
        <label className="account-photo__choose">
          <span>Group photo</span>
          <input type="file" accept="image/jpeg,image/png,image/webp" disabled={pending !== null} onChange={choosePhoto} />
        </label>
        {conversation.photo && (
          <button
            type="button"
            className="link-button"
            disabled={pending !== null}
            onClick={() => void run('photo', () => setGroupPhoto(id, null), 'Could not remove the photo. Check your connection and try again.')}
          >
            Remove group photo
          </button>
        )}
      </div>
      {errorFor('photo')}
      <form className="group-info__section" onSubmit={rename}>
        <TextField label="Group name" autoComplete="off" value={title} onChange={(event) => setTitle(event.target.value)} data-autofocus />
        {errorFor('rename')}
        <button type="submit" className="button button--primary" disabled={pending !== null}>
          Rename
        </button>
      </form>

      <section className="group-info__section">
        <h3 className="settings__heading">{members.length === 1 ? '1 member' : `${members.length} members`}</h3>
        <ul className="group-info__members" aria-label="Members">
          {members.map((member) => (
            <li key={member.id}>{member.id === me ? 'You' : member.displayName}</li>
          ))}
        </ul>
      </section>

      <section className="group-info__section">
        <h3 className="settings__heading">Add members</h3>
        <MemberPicker key={addRound} chosen={chosen} onChange={setChosen} excludedIds={memberIds} placeholder="Name or username" />
        {errorFor('add')}
        <button type="button" className="button button--primary" disabled={pending !== null || chosen.length === 0} onClick={() => void add()}>
          Add
        </button>
      </section>

      <section className="group-info__section">
        {confirmingLeave ? (
          <>
            <p>Leave {conversation.title}? You will no longer get its messages.</p>
            {errorFor('leave')}
            <div className="group-info__actions">
              <button type="button" className="button" ref={leaveStepRef} onClick={() => setConfirmingLeave(false)}>
                Cancel
              </button>
              <button type="button" className="button group-info__danger" disabled={pending !== null} onClick={leave}>
                Leave
              </button>
            </div>
          </>
        ) : (
          <button type="button" className="button group-info__danger" ref={leaveStepRef} onClick={() => setConfirmingLeave(true)}>
            Leave group
          </button>
        )}
      </section>
    </Modal>
  );
}
