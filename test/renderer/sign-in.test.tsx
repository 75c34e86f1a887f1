// @vitest-environment jsdom
import './setup-dom.ts';
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeDesktopApi, FakeDuplexApi, bob } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

describe('sign-in screen', () => {
  it('signs in with username and password, and no relay field on the web', async () => {
    const api = new FakeDuplexApi();
    const { user, store } = await renderApp(api);
    expect(screen.queryByLabelText('Relay URL')).toBeNull();

    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(api.callsOf('signIn')).toEqual([[{ relayUrl: undefined, username: 'bob', password: 'correct horse' }]]);
    expect(store.getState()).toMatchObject({ auth: 'signed-in', account: { user: bob } });
    expect(await screen.findByRole('list', { name: 'Conversations' })).toBeTruthy();
  });

  it('asks the desktop app for the relay URL, and other nodes of it in a folded field', async () => {
    const api = new FakeDuplexApi();
    const { user } = await renderApp(api, new FakeDesktopApi());
    const others = screen.getByLabelText('Other node URLs');
    expect(others.closest('details')?.open).toBe(false);
    // Playwright's getByLabel matches a substring, in any case: one field only.
    expect(screen.getAllByLabelText(/relay url/i)).toHaveLength(1);
    await user.type(screen.getByLabelText('Relay URL'), 'https://chat.example.com');
    await user.click(screen.getByText('More relay nodes'));
    await user.type(others, 'https://chat2.example.com, wss://chat3.example.com{Enter}https://chat4.example.com');
    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(api.callsOf('signIn')).toEqual([
      [
        {
          relayUrl: 'https://chat.example.com',
          otherRelayUrls: ['https://chat2.example.com', 'wss://chat3.example.com', 'https://chat4.example.com'],
          username: 'bob',
          password: 'correct horse',
        },
      ],
    ]);
  });

  it('offers the relay URLs of the last sign-in, kept in the desktop settings', async () => {
    const desktop = new FakeDesktopApi();
    desktop.settings = { ...desktop.settings, relayUrls: ['https://a.example.com', 'https://b.example.com', 'https://c.example.com'] };
    await renderApp(new FakeDuplexApi(), desktop);
    await waitFor(() => expect((screen.getByLabelText('Relay URL') as HTMLInputElement).value).toBe('https://a.example.com'));
    const others = screen.getByLabelText('Other node URLs') as HTMLTextAreaElement;
    expect(others.value).toBe('https://b.example.com\nhttps://c.example.com');
    expect(others.closest('details')?.open).toBe(true);
  });

  it.each([
    ['bad_credentials', 'Wrong username or password.'],
    ['unreachable', 'Cannot reach the relay. Check the address and your connection, then try again.'],
    ['busy', 'The relay is busy. Try again in a moment.'],
  ] as const)('shows %s in an alert', async (code, text) => {
    const api = new FakeDuplexApi();
    api.authResult = { ok: false, code, message: 'from the relay' };
    const { user } = await renderApp(api);
    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(text);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('says why when the relay ended the session, until the user tries again', async () => {
    const api = new FakeDuplexApi();
    // What the engine reports after the relay closed with 4001 "session expired".
    api.status = { state: 'offline', nextRetryAt: null, lastCloseReason: 'Your session expired; sign in again.', stopped: 'signed_out', relayUrl: null };
    api.authResult = { ok: false, code: 'bad_credentials', message: 'no' };
    const { user } = await renderApp(api);
    expect((await screen.findByRole('alert')).textContent).toBe('Your session expired; sign in again.');
    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
  });

  it('shows no alert after the user signed out', async () => {
    const api = new FakeDuplexApi();
    api.status = { state: 'offline', nextRetryAt: null, lastCloseReason: null, stopped: 'signed_out', relayUrl: null };
    await renderApp(api);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('switches to registration, which adds a display name and says when a username is taken', async () => {
    const api = new FakeDuplexApi();
    api.authResult = { ok: false, code: 'taken', message: 'username taken' };
    const { user } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'Create an account' }));

    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Display name'), 'Bob M');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(api.callsOf('register')).toEqual([
      [{ relayUrl: undefined, username: 'bob', password: 'correct horse', displayName: 'Bob M' }],
    ]);
    expect((await screen.findByRole('alert')).textContent).toBe('That username is taken. Choose another one.');
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
  });
});
