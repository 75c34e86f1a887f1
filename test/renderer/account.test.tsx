// @vitest-environment jsdom
// The account part of Settings over the fake DuplexApi: the devices, with
// Sign out on every one but this and Sign out all other devices; the
// password; the profile; Download my data (a download on the web, the save
// dialog on the desktop) and Delete account. The engine and relay side are
// tested in test/engine/devices.test.ts, test/engine/account-deletion.test.ts,
// test/relay/devices.test.ts and test/relay/account-deletion.test.ts.
import './setup-dom.ts';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeDesktopApi, FakeDuplexApi, alice } from './fake-api.ts';
import { renderApp } from './render-app.tsx';

async function openSettings(api: FakeDuplexApi, desktop: FakeDesktopApi | null = null) {
  const rendered = await renderApp(api, desktop);
  rendered.store.getState().actions.openDialog('settings');
  const dialog = await screen.findByRole('dialog', { name: 'Settings' });
  return { ...rendered, dialog };
}

describe('devices', () => {
  it('lists the devices, this one without Sign out, and signs one out', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    api.devices.push({ id: 'cccccccccccccccc', name: 'Firefox on Windows', createdAt: 5, lastActiveAt: 6, address: '', current: false });
    const { user, dialog } = await openSettings(api);
    const devices = await within(dialog).findByRole('list', { name: 'Devices' });
    const entries = within(devices).getAllByRole('listitem');
    expect(entries.map((entry) => entry.textContent)).toEqual([
      expect.stringMatching(/^Chromium on LinuxThis device · 127\.0\.0\.1$/),
      expect.stringMatching(/^Duplex on LinuxLast active .* · 10\.0\.0\.2Sign out$/),
      expect.stringMatching(/^Firefox on WindowsLast active [^·]*Sign out$/),
    ]);
    expect(within(entries[0]!).queryByRole('button')).toBeNull();

    await user.click(within(entries[1]!).getByRole('button', { name: 'Sign out' }));
    expect(api.callsOf('signOutDevice')).toEqual([['bbbbbbbbbbbbbbbb']]);
    await waitFor(() => expect(within(devices).getAllByRole('listitem')).toHaveLength(2));

    await user.click(within(dialog).getByRole('button', { name: 'Sign out all other devices' }));
    expect(api.callsOf('signOutOtherDevices')).toEqual([[]]);
    await waitFor(() => expect(within(devices).getAllByRole('listitem')).toHaveLength(1));
    // Nothing left to sign out.
    expect(within(dialog).queryByRole('button', { name: 'Sign out all other devices' })).toBeNull();
  });

  it('says so when the relay cannot be reached, and keeps the list', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, dialog } = await openSettings(api);
    const devices = await within(dialog).findByRole('list', { name: 'Devices' });
    api.failNext.add('signOutOtherDevices');
    await user.click(within(dialog).getByRole('button', { name: 'Sign out all other devices' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/Could not reach the relay/);
    expect(within(devices).getAllByRole('listitem')).toHaveLength(2);
  });
});

describe('password', () => {
  it('changes the password with the current one, says so, and reads the devices again after signing the others out', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, dialog } = await openSettings(api);
    await within(dialog).findByRole('list', { name: 'Devices' });

    await user.type(within(dialog).getByLabelText('Current password'), 'not my password');
    await user.type(within(dialog).getByLabelText('New password'), 'a new passphrase');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The current password is wrong.');

    await user.clear(within(dialog).getByLabelText('Current password'));
    await user.type(within(dialog).getByLabelText('Current password'), 'correct horse battery');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Also sign out my other devices' }));
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe('Password changed. Your other devices were signed out.');
    expect(api.callsOf('changePassword').at(-1)).toEqual([
      { currentPassword: 'correct horse battery', newPassword: 'a new passphrase', signOutOthers: true },
    ]);
    // The form is empty again, and the device list shows only this device.
    expect(within(dialog).getByLabelText<HTMLInputElement>('Current password').value).toBe('');
    await waitFor(() => expect(within(within(dialog).getByRole('list', { name: 'Devices' })).getAllByRole('listitem')).toHaveLength(1));
  });
});

describe('profile', () => {
  it('shows the profile, saves a new name and about line, and says so', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, dialog } = await openSettings(api);
    const name = within(dialog).getByLabelText<HTMLInputElement>('Display name');
    expect(name.value).toBe(alice.displayName);
    await user.clear(name);
    await user.type(name, 'Alice Liddell');
    await user.type(within(dialog).getByLabelText('About'), 'Down the rabbit hole');
    await user.click(within(dialog).getByRole('button', { name: 'Save profile' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe('Profile saved.');
    expect(api.callsOf('updateProfile')).toEqual([[{ displayName: 'Alice Liddell', about: 'Down the rabbit hole' }]]);
    await waitFor(() => expect(within(dialog).getByLabelText<HTMLInputElement>('About').value).toBe('Down the rabbit hole'));
  });

  it('says so when the relay refuses', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, dialog } = await openSettings(api);
    api.failNext.add('updateProfile');
    await user.click(within(dialog).getByRole('button', { name: 'Save profile' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/^Could not save the profile/);
  });
});

describe('relay', () => {
  it('names the relay, and for a relay of several nodes the one in use', async () => {
    const single = FakeDuplexApi.signedInAs(alice);
    const first = await openSettings(single);
    expect(within(first.dialog).getByText(/Relay: https:\/\/relay\.test$/)).toBeTruthy();
    first.view.unmount();

    const cluster = FakeDuplexApi.signedInAs(alice);
    cluster.account = { user: alice, relayUrl: 'https://a.relay.test', relayUrls: ['https://a.relay.test', 'https://b.relay.test'] };
    cluster.status = { ...cluster.status, relayUrl: 'https://b.relay.test' };
    const { dialog } = await openSettings(cluster);
    expect(within(dialog).getByText(/Relay: https:\/\/b\.relay\.test \(one of 2 nodes\)$/)).toBeTruthy();
  });
});

describe('your data', () => {
  it('on the web, downloads the ZIP the engine gives under the user’s name', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    // jsdom has no object URLs and does not follow a download link.
    URL.createObjectURL = vi.fn(() => 'blob:test/1');
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const { user, dialog } = await openSettings(api);
    await user.click(within(dialog).getByRole('button', { name: 'Download my data' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe('Your data is saved.');
    expect(api.callsOf('downloadMyData')).toEqual([[]]);
    const link = click.mock.contexts[0] as HTMLAnchorElement;
    expect(link.download).toMatch(new RegExp(`^duplex-${alice.username}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const blob = vi.mocked(URL.createObjectURL).mock.calls[0]?.[0] as Blob;
    expect(blob.type).toBe('application/zip');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(api.myData);
    click.mockRestore();
  });

  it('on the desktop, saves through the save dialog; says so when it fails', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const desktop = new FakeDesktopApi();
    const { user, dialog } = await openSettings(api, desktop);
    await user.click(within(dialog).getByRole('button', { name: 'Download my data' }));
    await within(dialog).findByRole('status');
    expect(desktop.savedMyData).toEqual([expect.stringMatching(new RegExp(`^duplex-${alice.username}-.*\\.zip$`))]);
    expect(api.callsOf('downloadMyData')).toEqual([]);

    desktop.saveMyData = async () => {
      throw new Error('the relay could not be reached');
    };
    await user.click(within(dialog).getByRole('button', { name: 'Download my data' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Could not download your data: the relay could not be reached');
  });
});

describe('deleting the account', () => {
  it('asks for the password, refuses a wrong one, and signs out once deleted', async () => {
    const api = FakeDuplexApi.signedInAs(alice);
    const { user, dialog } = await openSettings(api);
    expect(within(dialog).queryByLabelText('Password', { selector: 'input' })).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));
    // Cancel puts the button back, deleting nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(within(dialog).queryByLabelText('Password', { selector: 'input' })).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));

    await user.type(within(dialog).getByLabelText('Password', { selector: 'input' }), 'not my password');
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The password is wrong.');
    expect(api.account).not.toBeNull();

    await user.clear(within(dialog).getByLabelText('Password', { selector: 'input' }));
    await user.type(within(dialog).getByLabelText('Password', { selector: 'input' }), 'correct horse battery');
    await user.click(within(dialog).getByRole('button', { name: 'Delete my account' }));
    expect(api.callsOf('deleteAccount')).toEqual([['not my password'], ['correct horse battery']]);
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull());
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  });
});
