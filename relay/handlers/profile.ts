// `profile` (docs/protocol.md, "Profiles"): the user changes their display
// name, "about" line or photo (the photo replaced is erased). The answer is the user as they are now, a `user`
// frame, which also goes to the user's other sockets and to every socket of
// everyone who shares a conversation with them, so that names change
// everywhere at once. Being multiplied to every contact, a change draws on
// the same bucket as conversation changes.
import {
  aboutSchema,
  displayNameSchema,
  type ProfileFrame,
  type UserFrame,
} from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';
import type { ProfileChanges } from '../store/types.ts';
import { Refused, takeConversationChange } from './guards.ts';
import { eraseReplacedPhoto, requirePhoto } from './photos.ts';

export async function handleProfile(ctx: RelayContext, session: Session, frame: ProfileFrame): Promise<void> {
  const userId = session.user.id;
  await takeConversationChange(ctx, userId);
  const changes: ProfileChanges = {};
  if (frame.displayName !== undefined) changes.displayName = checked('displayName', displayNameSchema, frame.displayName);
  if (frame.about !== undefined) changes.about = checked('about', aboutSchema, frame.about);
  if (frame.photo) await requirePhoto(ctx, userId, frame.photo);
  if (frame.photo !== undefined) changes.photo = frame.photo;
  const updated = await ctx.store.updateProfile(userId, changes);
  if (!updated) throw new Refused('not_found', 'no such user');
  const { user, replacedPhoto } = updated;
  // Before the answer: once the user hears back, the old photo is gone.
  await eraseReplacedPhoto(ctx, replacedPhoto);
  const announcement: UserFrame = { t: 'user', user };
  session.sendFrame({ ...announcement, rid: frame.rid });
  const text = JSON.stringify(announcement);
  ctx.fanout.publish([userId], { kind: 'frame', text, exceptSession: session.id });
  ctx.fanout.publish(await ctx.store.contactsOf(userId), { kind: 'frame', text });
}

function checked(field: string, schema: typeof displayNameSchema, value: string): string {
  const result = schema.safeParse(value);
  if (!result.success) throw new Refused('invalid', `${field}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}
