// The real relay for the engine's integration tests (through the relay's own
// process helper), plus what tests need beside the engine: accounts made over
// HTTP, and a raw look at a conversation's whole log on the relay.
import { SUBPROTOCOL, type Message, type RelayFrame, type User } from '../../../src/shared/protocol/index.ts';
import { RelayProcess } from '../../helpers/relay-process.ts';

export { RelayProcess };

/** A relay without rate limits (tests that need them pass their own args). */
export function startRelay(args: string[] = ['--no-rate-limits']): Promise<RelayProcess> {
  return RelayProcess.start({ args });
}

export interface TestAccount {
  username: string;
  password: string;
  user: User;
  token: string;
}

let accounts = 0;

/** Registers a new user with a unique username, shown as `displayName` (`name` when absent). */
export async function registerAccount(relayUrl: string, name: string, displayName = name): Promise<TestAccount> {
  const username = `${name.toLowerCase()}_${process.pid}_${++accounts}`;
  const password = 'correct horse battery';
  const response = await fetch(`${relayUrl}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password, displayName }),
  });
  if (response.status !== 201) throw new Error(`register ${username}: HTTP ${response.status} ${await response.text()}`);
  const { user, token } = (await response.json()) as { user: User; token: string };
  return { username, password, user, token };
}

/** Revokes a token, as signing out on another device does. */
export async function revokeToken(relayUrl: string, token: string): Promise<void> {
  const response = await fetch(`${relayUrl}/api/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  if (response.status !== 204) throw new Error(`logout: HTTP ${response.status}`);
}

/** Every message of a conversation as the relay stores it, read with a
 * session of its own (cursor 0 asks for all of them). */
export async function relayLog(relay: RelayProcess, token: string, conv: string): Promise<Message[]> {
  const socket = new WebSocket(relay.wsUrl, SUBPROTOCOL);
  const messages: Message[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => socket.send(JSON.stringify({ t: 'hello', v: 1, token, cursors: { [conv]: 0 } })));
    socket.addEventListener('message', (event) => {
      const frame = JSON.parse(String(event.data)) as RelayFrame;
      if (frame.t === 'batch' && frame.conv === conv) messages.push(...frame.msgs);
      if (frame.t === 'synced') resolve();
    });
    socket.addEventListener('close', () => reject(new Error('relay closed the socket before synced')));
  });
  socket.close();
  return messages;
}
