// The desktop app muted conversations in its settings file before muting
// became chat state, which follows the user to every device
// (docs/desktop.md, "Muted chats"). Once signed in, this hands each such
// conversation of the user to the engine as muted always (the engine keeps
// the change and sends it to the relay, offline or not), then empties the
// file's list, so it happens once. Ids that are not the signed-in user's
// conversations (left since, or another account's) are dropped with it.
import type { ConversationSummary, DuplexApi } from '../../shared/api.ts';
import { isMuted, MUTED_FOREVER } from '../../shared/protocol/index.ts';
import type { Log } from '../log.ts';

export interface LegacyMuteList {
  readonly legacyMutedConversations: readonly string[];
  clearLegacyMutedConversations(): void;
}

export async function moveLegacyMutes(options: {
  legacy: LegacyMuteList;
  engine: Pick<DuplexApi, 'setChatState'>;
  /** The signed-in user's conversations. */
  conversations: readonly ConversationSummary[];
  log: Log;
}): Promise<void> {
  const { legacy, engine, conversations, log } = options;
  const muted = new Set(legacy.legacyMutedConversations);
  if (muted.size === 0) return;
  const now = Date.now();
  try {
    for (const conversation of conversations) {
      if (!muted.has(conversation.id) || isMuted(conversation.chatState, now)) continue;
      await engine.setChatState(conversation.id, { mutedUntil: MUTED_FOREVER });
    }
  } catch (error) {
    // The list stays, and the next start tries again.
    log.warn(`duplex: could not move the muted chats into chat state: ${String(error)}`);
    return;
  }
  legacy.clearLegacyMutedConversations();
  log.info(`duplex: moved ${muted.size} muted chat(s) from the settings file into chat state`);
}
