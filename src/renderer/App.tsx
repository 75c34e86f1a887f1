import { ChatScreen } from './components/ChatScreen.tsx';
import { SignInScreen } from './components/auth/SignInScreen.tsx';
import { UpdateBar } from './components/update/UpdateBar.tsx';
import { useChat } from './store/useChat.ts';

/** The app's root: the one element carrying `data-connection` (the UI
 * contract), the screen for the sign-in state, and the update bar. */
export function App() {
  const auth = useChat((state) => state.auth);
  const connection = useChat((state) => state.status.state);
  return (
    <div className="app" data-connection={connection}>
      {auth === 'signed-in' && <ChatScreen />}
      {auth === 'signed-out' && <SignInScreen />}
      {auth === 'loading' && (
        <p className="app__loading" role="status">
          Loading…
        </p>
      )}
      <UpdateBar />
    </div>
  );
}
