import { ChatScreen } from './components/ChatScreen.tsx';
import { SignInScreen } from './components/auth/SignInScreen.tsx';
import { useChat } from './store/useChat.ts';

/** The app's root: the one element carrying `data-connection` (the UI
 * contract), and the screen for the session state. */
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
    </div>
  );
}
