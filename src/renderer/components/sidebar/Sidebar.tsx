import { ArchivedEntry } from './ArchivedEntry.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { ConversationFilter } from './ConversationFilter.tsx';
import { ConversationList } from './ConversationList.tsx';
import { MessageResults } from '../search/MessageResults.tsx';
import { useChat } from '../../store/useChat.ts';
import { SidebarHeader } from './SidebarHeader.tsx';
import './sidebar.css';

export function Sidebar() {
  const query = useChat((state) => state.filter.trim());
  return (
    <aside className="sidebar" aria-label="Chats">
      <SidebarHeader />
      <ConnectionBanner />
      <ConversationFilter />
      <ArchivedEntry />
      <ConversationList />
      {query && <MessageResults query={query} />}
    </aside>
  );
}
