// `users`: search by username or display name prefix, to start conversations.
import { USER_SEARCH_MAX_RESULTS, type UsersRequestFrame } from '../../src/shared/protocol/index.ts';
import type { RelayContext } from '../context.ts';
import type { Session } from '../session.ts';

export async function handleUsers(ctx: RelayContext, session: Session, frame: UsersRequestFrame): Promise<void> {
  const users = await ctx.store.searchUsers(frame.q, session.user.id, USER_SEARCH_MAX_RESULTS);
  session.sendFrame({ t: 'users', rid: frame.rid, users });
}
