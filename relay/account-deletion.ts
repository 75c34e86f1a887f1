// Deleting an account (docs/operations.md, "Deleting an account"): by its user
// (POST /api/account/delete, after their password) or by the operator
// (`duplex-relay user delete`). The store erases it in one transaction
// (RelayStore.deleteAccount: every message deleted for everyone as a delete
// change does, reactions taken back, sign-ins, memberships and blocks gone,
// the profile blanked); here its files are erased, and, with a fan-out (the
// relay's own process), everyone concerned is told at once: the user's
// sockets close with 4001 `account deleted`, every member gets the deletes as
// live `msg` frames, the conversations the user was in go out without them,
// and their contacts get the blanked user.
import { ACCOUNT_DELETED, type UserFrame } from '../src/shared/protocol/index.ts';
import type { Fanout } from './fanout.ts';
import { publishConversation } from './handlers/conversations.ts';
import type { Logger } from './log.ts';
import { msgFrameText } from './message-frames.ts';
import type { AccountDeletion, ExpiredFile, RelayStore } from './store/types.ts';

export interface AccountDeletionDeps {
  store: RelayStore;
  eraseFiles(files: readonly ExpiredFile[]): Promise<unknown>;
  log: Logger;
  /** Absent in an operator command: a running relay closes the user's sockets at its next token sweep, and members' apps get the deletes when they next sync. */
  fanout?: Fanout;
}

/** Deletes the account; what the store did, undefined when there is no such live account. */
export async function deleteAccount(deps: AccountDeletionDeps, userId: string, now: number): Promise<AccountDeletion | undefined> {
  const deletion = await deps.store.deleteAccount(userId, now);
  if (!deletion) return undefined;
  // Before anyone hears of it: once the deletes are announced, their files are gone.
  await deps.eraseFiles(deletion.files);
  const { fanout } = deps;
  if (fanout) {
    for (const tokenHash of deletion.revokedTokens) fanout.publish([userId], { kind: 'revoke', tokenHash, reason: ACCOUNT_DELETED });
    for (const { message, members } of deletion.changes) {
      fanout.publish(members, { kind: 'frame', text: msgFrameText(JSON.stringify(message)), message: { conv: message.conv, seq: message.seq } });
    }
    const ctx = { store: deps.store, fanout };
    for (const conversation of deletion.conversations) {
      await publishConversation(ctx, conversation, conversation.members.map((member) => member.id));
    }
    const announcement: UserFrame = { t: 'user', user: deletion.user };
    fanout.publish(deletion.contacts, { kind: 'frame', text: JSON.stringify(announcement) });
  }
  deps.log.info(
    { user: userId, deletes: deletion.changes.length, signedOut: deletion.revokedTokens.length, files: deletion.files.length },
    'account deleted',
  );
  return deletion;
}
