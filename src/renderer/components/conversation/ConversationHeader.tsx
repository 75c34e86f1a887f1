import type { ConversationSummary } from '../../../shared/api.ts';
import type { Presence } from '../../../shared/protocol/index.ts';
import { typingLabel } from '../../format/names.ts';
import { formatLastSeen } from '../../format/time.ts';
import { memberName } from '../../store/selectors.ts';
import { useActions, useChat } from '../../store/useChat.ts';
import { Avatar } from '../common/Avatar.tsx';
import { IconButton } from '../common/IconButton.tsx';

const nobodyTyping: readonly string[] = [];

function presenceLine(presence: Presence | undefined): string {
  if (presence?.online) return 'online';
  if (presence?.lastSeen !== undefined) return formatLastSeen(presence.lastSeen);
  return '';
}

/** Title and the line under it: who is typing; else `online` / `last seen …`
 * and the other person's "about" line for a direct chat, the members for a group. */
export function ConversationHeader({ conversation }: { conversation: ConversationSummary }) {
  const me = useChat((state) => state.account?.user.id);
  const typing = useChat((state) => state.typing.get(conversation.id) ?? nobodyTyping);
  const peerPresence = useChat((state) => (conversation.peerId ? state.presence.get(conversation.peerId) : undefined));
  const peerBlocked = useChat((state) => state.privacy?.blocked.some((user) => user.id === conversation.peerId) ?? false);
  const { openConversation, openDialog, blockUser, unblockUser } = useActions();
  const peerId = conversation.peerId;

  const isGroup = conversation.kind === 'group';
  const typists = typing.filter((id) => id !== me);
  let subtitle: string;
  if (typists.length > 0) {
    subtitle = typingLabel(typists.map((id) => memberName(conversation, id)), isGroup);
  } else if (isGroup) {
    subtitle = conversation.members.map((m) => (m.id === me ? 'You' : m.displayName)).join(', ');
  } else {
    // The other person's "about" line follows their presence (docs/ui.md, "Account").
    const about = conversation.members.find((member) => member.id === peerId)?.about;
    subtitle = [presenceLine(peerPresence), about].filter(Boolean).join(' · ');
  }

  return (
    <header className="conversation-header">
      {/* Narrow screens show one pane at a time; this leads back to the list. */}
      <IconButton className="conversation-header__back" label="Back to chats" icon="back" onClick={() => openConversation(null)} />
      <Avatar id={conversation.id} name={conversation.title} photo={conversation.photo} />
      <div className="conversation-header__text">
        <h2 className="conversation-header__title">{conversation.title}</h2>
        {subtitle && <p className={typists.length > 0 ? 'conversation-header__subtitle conversation-header__subtitle--typing' : 'conversation-header__subtitle'}>{subtitle}</p>}
      </div>
      {isGroup && <IconButton className="conversation-header__info" label="Group info" icon="info" onClick={() => openDialog('group-info')} />}
      {peerId && (
        <IconButton
          className="conversation-header__block"
          label={peerBlocked ? `Unblock ${conversation.title}` : `Block ${conversation.title}`}
          icon="block"
          aria-pressed={peerBlocked}
          // A failure (offline) changes nothing; the button shows the relay's state.
          onClick={() => void (peerBlocked ? unblockUser(peerId) : blockUser(peerId)).catch(() => {})}
        />
      )}
    </header>
  );
}
