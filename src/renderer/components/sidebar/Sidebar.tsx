import { ArchivedEntry } from './ArchivedEntry.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { ConversationFilter } from './ConversationFilter.tsx';
import { ConversationList } from './ConversationList.tsx';
import { SidebarHeader } from './SidebarHeader.tsx';
import './sidebar.css';

export function Sidebar() {
  return (
    <aside className="sidebar" aria-label="Chats">
      <SidebarHeader />
      <ConnectionBanner />
      <ConversationFilter />
      <ArchivedEntry />
      <ConversationList />
    </aside>
  );
}
