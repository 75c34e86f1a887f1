import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useActions, useChat } from '../../store/useChat.ts';
import { Avatar } from '../common/Avatar.tsx';
import { TextField } from '../common/TextField.tsx';
import { type CroppedPhoto, cropPhoto } from './cropPhoto.ts';
import { FormOutcome, useFormRequest } from './formOutcome.tsx';

// The relay's limits (docs/protocol.md, "Profiles"); the renderer imports only types from src/shared.
const MAX_DISPLAY_NAME_LENGTH = 64;
const MAX_ABOUT_LENGTH = 140;

/** The user's profile (docs/ui.md, "Account"): photo, display name and
 * "about" line, which everyone sharing a conversation with the user sees
 * change at once. A chosen photo is cropped and shrunk at once and shown;
 * `Save profile` uploads it with the rest. */
export function ProfileSection() {
  const account = useChat((state) => state.account);
  // A relay of several nodes: the one in use (docs/scaling.md, "Clients").
  const node = useChat((state) => state.status.relayUrl);
  const user = account?.user;
  const { updateProfile, setProfilePhoto } = useActions();
  const { pending, outcome, run } = useFormRequest('Could not save the profile');
  const [chosen, setChosen] = useState<CroppedPhoto | null>(null);
  const [photoError, setPhotoError] = useState<string | null>(null);
  if (!user) return null;

  function choosePhoto(event: ChangeEvent<HTMLInputElement>) {
    const file = event.currentTarget.files?.[0];
    setPhotoError(null);
    if (!file) return;
    cropPhoto(file).then(setChosen, () => setPhotoError('This file is not a picture this app can read. Choose a JPEG, PNG or WebP image.'),
    );
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void run(async () => {
      if (chosen) await setProfilePhoto(chosen.bytes);
      setChosen(null);
      await updateProfile({ displayName: String(data.get('displayName') ?? ''), about: String(data.get('about') ?? '') });
      return { ok: true, text: 'Profile saved.' };
    });
  }

  function removePhoto() {
    void run(async () => {
      await setProfilePhoto(null);
      return { ok: true, text: 'Photo removed.' };
    });
  }

  return (
    <section className="settings__section" aria-labelledby="settings-profile">
      <h3 id="settings-profile" className="settings__heading">
        Profile
      </h3>
      <p className="settings__muted">
        @{user.username} · Relay: {account.relayUrls.length > 1 && node ? `${node} (one of ${account.relayUrls.length} nodes)` : account.relayUrl}
      </p>
      {/* Keyed by the saved values: a change from another device refills the form. */}
      <form key={`${user.displayName}\n${user.about ?? ''}`} className="account-form" onSubmit={submit}>
        <div className="account-photo">
          {chosen ? (
            <span className="avatar avatar--large" aria-hidden="true">
              <img className="avatar__photo" src={chosen.preview} alt="" />
            </span>
          ) : (
            <Avatar id={user.id} name={user.displayName} photo={user.photo} size="large" />
          )}
          <label className="account-photo__choose">
            <span>Profile photo</span>
            <input type="file" accept="image/jpeg,image/png,image/webp" onChange={choosePhoto} />
          </label>
          {user.photo && !chosen && (
            <button type="button" className="link-button" disabled={pending} onClick={removePhoto}>
              Remove photo
            </button>
          )}
        </div>
        {photoError && (
          <p className="dialog-error" role="alert">
            {photoError}
          </p>
        )}
        <TextField label="Display name" name="displayName" defaultValue={user.displayName} maxLength={MAX_DISPLAY_NAME_LENGTH} required />
        <TextField label="About" name="about" defaultValue={user.about ?? ''} maxLength={MAX_ABOUT_LENGTH} hint="A line about you, seen by the people you chat with" />
        <button type="submit" className="button button--primary" disabled={pending}>
          Save profile
        </button>
      </form>
      <FormOutcome outcome={outcome} />
    </section>
  );
}
