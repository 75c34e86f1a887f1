// Deleting an account and downloading one's data (docs/protocol.md,
// "Deleting an account" and "Your data"; docs/operations.md), against a real
// relay over real sockets: the password confirms the deletion; the user's
// sockets close with 4001; the other members see every message of theirs
// deleted live, the conversation without them and their blanked profile; the
// token, the username (until the quarantine is over) and the files go with
// it. The export is a ZIP of the user's data and of nobody else's. The
// operator's `duplex-relay user delete` erases the same way.
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNT_DELETED, CLOSE_CODES, DELETED_ACCOUNT_NAME } from '../../src/shared/protocol/index.ts';
import { runInProcess } from './support/cli.ts';
import { postJson, register, TestClient, uniqueName } from './support/client.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';
import { download, uploadFile } from './support/tus.ts';

const PASSWORD = 'correct horse battery';

let relay: TestRelay;

beforeAll(async () => {
  // The operator's deletion reaches a running relay's sockets at its token sweep.
  relay = await startTestRelay({ limits: { tokenRecheckIntervalMs: 200 } });
});
afterAll(async () => {
  await relay.stop();
});

function deleteAccount(baseUrl: string, token: string | undefined, body: unknown) {
  return postJson(baseUrl, '/api/account/delete', body, token === undefined ? {} : { Authorization: `Bearer ${token}` });
}

async function exportOf(token: string | undefined): Promise<Response> {
  return fetch(`${relay.url}/api/account/export`, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
}

async function conversation(client: TestClient, frame: Record<string, unknown>): Promise<string> {
  const created = await client.request(frame);
  if (created.t !== 'conv') throw new Error(`create failed: ${JSON.stringify(created)}`);
  return created.conv.id;
}

async function acked(client: TestClient, conv: string, body: string, extra: Record<string, unknown> = {}): Promise<number> {
  const answer = await client.sendMessage(conv, body, extra);
  if (answer.t !== 'ack') throw new Error(`send refused: ${JSON.stringify(answer)}`);
  return answer.msg.seq;
}

describe('deleting an account', () => {
  test('with the password: signed out everywhere, its messages deleted for everyone live, its profile and files gone', async () => {
    const [alice, bob, carol] = await Promise.all([register(relay.url), register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const second = (await postJson(relay.url, '/api/login', { username: alice.user.username, password: PASSWORD })).body.token;
    const [a2] = await TestClient.signIn(relay.wsUrl, second);
    const direct = await conversation(a, { t: 'create', kind: 'direct', with: bob.user.id });
    const group = await conversation(a, { t: 'create', kind: 'group', title: 'Trio', members: [bob.user.id, carol.user.id] });
    const fileId = await uploadFile(relay.url, alice.token, new TextEncoder().encode('alice file bytes'), 'a.txt', 'text/plain');
    const first = await acked(a, direct, 'alice first');
    const withFile = await acked(a, direct, '', { file: { id: fileId } });
    const inGroup = await acked(a, group, 'alice in the group');
    const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
    const bobs = await acked(b, group, 'bob in the group');
    await acked(a, group, '', { kind: 'react', target: bobs, body: '👍' });
    expect((await download(relay.url, bob.token, fileId)).response.status).toBe(200);

    // Refused, changing nothing: a wrong password, no password, no token.
    const wrong = await deleteAccount(relay.url, alice.token, { password: 'not the password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('bad_credentials');
    for (const bad of [{}, { password: 42 }, [], 'not json']) {
      const refused = await deleteAccount(relay.url, alice.token, bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid');
    }
    expect((await deleteAccount(relay.url, undefined, { password: PASSWORD })).status).toBe(401);
    expect((await deleteAccount(relay.url, 'not-a-token', { password: PASSWORD })).status).toBe(401);
    expect((await fetch(`${relay.url}/api/account/delete`, { headers: { Authorization: `Bearer ${alice.token}` } })).status).toBe(405);
    expect((await a.request({ t: 'ping' })).t).toBe('pong');

    expect((await deleteAccount(relay.url, alice.token, { password: PASSWORD })).status).toBe(204);
    for (const socket of [a, a2]) expect(await socket.closed).toEqual({ code: CLOSE_CODES.unauthorized, reason: ACCOUNT_DELETED });

    // Bob sees each of her messages deleted, her reaction taken back, the group without her, her blanked profile.
    for (const [conv, target] of [
      [direct, first],
      [direct, withFile],
      [group, inGroup],
    ] as const) {
      const deleted = await b.next('msg', (frame) => frame.msg.conv === conv && frame.msg.kind === 'delete' && frame.msg.target === target);
      expect(deleted.msg).toMatchObject({ from: alice.user.id, body: '' });
    }
    await b.next('msg', (frame) => frame.msg.kind === 'react' && frame.msg.target === bobs && frame.msg.body === '');
    const trio = await b.next('conv', (frame) => frame.conv.id === group);
    expect(trio.conv.members.map((member) => member.id).sort()).toEqual([bob.user.id, carol.user.id].sort());
    const profile = await b.next('user', (frame) => frame.user.id === alice.user.id);
    expect(profile.user).toEqual({ id: alice.user.id, username: alice.user.username, displayName: DELETED_ACCOUNT_NAME });

    // A session started later gets the log in its current state.
    const [b2, synced] = await TestClient.signIn(relay.wsUrl, bob.token);
    const batch = synced.batches.find((each) => each.conv === direct);
    expect(batch?.msgs.find((message) => message.seq === first)).toMatchObject({ deleted: true, body: '' });
    expect(JSON.stringify(synced)).not.toContain('alice first');
    await b2.close();

    // Her file is gone; her token, her sign-in and her username too (quarantined).
    expect((await download(relay.url, bob.token, fileId)).response.status).toBe(404);
    expect((await deleteAccount(relay.url, alice.token, { password: PASSWORD })).status).toBe(401);
    expect((await exportOf(alice.token)).status).toBe(401);
    expect((await download(relay.url, alice.token, fileId)).response.status).toBe(401);
    const again = await TestClient.connect(relay.wsUrl);
    again.send({ t: 'hello', v: 1, token: alice.token, cursors: {} });
    expect((await again.closed).code).toBe(CLOSE_CODES.unauthorized);
    expect((await postJson(relay.url, '/api/login', { username: alice.user.username, password: PASSWORD })).status).toBe(401);
    const taken = await postJson(relay.url, '/api/register', { username: alice.user.username, password: PASSWORD });
    expect(taken.status).toBe(409);
    const search = await b.request({ t: 'users', q: alice.user.username.slice(0, 6) });
    expect(search).toMatchObject({ t: 'users', users: [] });
    await b.close();
  });

  test('the username is free again once the quarantine is over', async () => {
    const own = await startTestRelay({ limits: { usernameQuarantineMs: 0 } });
    try {
      const name = uniqueName();
      const alice = await register(own.url, name);
      expect((await deleteAccount(own.url, alice.token, { password: PASSWORD })).status).toBe(204);
      // The quarantine ends after the millisecond of the deletion.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const newcomer = await register(own.url, name);
      expect(newcomer.user.id).not.toBe(alice.user.id);
      const listed = await runInProcess(['user', 'list', '--data', own.dataDir]);
      expect(listed.stdout).toMatch(new RegExp(`~deleted~${alice.user.id}.*deleted`));
      expect(listed.stdout).toMatch(new RegExp(`${name} .*active`));
    } finally {
      await own.stop();
    }
  });
});

describe('downloading one’s data', () => {
  test('a ZIP of the profile, devices, conversations, messages with their changes and files; nothing of anyone else', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const [b] = await TestClient.signIn(relay.wsUrl, bob.token);
    const direct = await conversation(a, { t: 'create', kind: 'direct', with: bob.user.id });
    await a.request({ t: 'profile', about: 'alice about line' });
    await a.request({ t: 'chatstate', conv: direct, pinned: true });
    const content = new TextEncoder().encode(`alice file ${'x'.repeat(70_000)}`);
    const fileId = await uploadFile(relay.url, alice.token, content, 'notes.txt', 'text/plain');
    const original = await acked(a, direct, 'alice original text');
    await acked(a, direct, 'alice edited text', { kind: 'edit', target: original });
    await acked(a, direct, 'caption', { file: { id: fileId } });
    const bobs = await acked(b, direct, 'bob private text');
    await acked(a, direct, '', { kind: 'react', target: bobs, body: '🎉' });

    const response = await exportOf(alice.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="duplex-${alice.user.username}-`));
    const zip = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const text = (name: string) => new TextDecoder().decode(zip[name]);
    const filePath = `files/${fileId}-notes.txt`;
    expect(Object.keys(zip).sort()).toEqual(['account.json', 'files.json', filePath, 'messages.json'].sort());

    const account = JSON.parse(text('account.json'));
    expect(account.user).toMatchObject({ id: alice.user.id, username: alice.user.username, about: 'alice about line' });
    expect(account.devices).toEqual([expect.objectContaining({ current: true, name: expect.any(String) })]);
    expect(text('account.json')).not.toContain(alice.token);
    expect(account.conversations).toEqual([expect.objectContaining({ id: direct, mine: expect.objectContaining({ pinned: true }) })]);
    expect(account.privacy).toEqual({ groupAdds: 'everyone', blocked: [] });

    const messages = JSON.parse(text('messages.json')) as { from: string; body: string; kind?: string }[];
    expect(messages.every((message) => message.from === alice.user.id)).toBe(true);
    expect(messages.map((message) => [message.kind ?? 'message', message.body])).toEqual([
      ['message', 'alice edited text'],
      ['edit', 'alice edited text'],
      ['message', 'caption'],
      ['react', '🎉'],
    ]);
    expect(text('messages.json')).not.toContain('bob private text');
    expect(JSON.parse(text('files.json'))).toEqual([expect.objectContaining({ id: fileId, name: 'notes.txt', path: filePath })]);
    expect(Buffer.from(zip[filePath] ?? []).equals(Buffer.from(content))).toBe(true);

    // Bob's export holds his message, not Alice's texts or file.
    const bobsZip = unzipSync(new Uint8Array(await (await exportOf(bob.token)).arrayBuffer()));
    const bobsText = Object.values(bobsZip).map((bytes) => new TextDecoder().decode(bytes)).join('\n');
    expect(bobsText).toContain('bob private text');
    expect(bobsText).not.toContain('alice edited text');
    expect(Object.keys(bobsZip).some((name) => name.startsWith('files/'))).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  test('messages.json stays one JSON array over several pages of the store (500 messages a page)', async () => {
    const own = await startTestRelay({ rateLimits: false });
    try {
      const [alice, bob] = await Promise.all([register(own.url), register(own.url)]);
      const [a] = await TestClient.signIn(own.wsUrl, alice.token);
      const direct = await conversation(a, { t: 'create', kind: 'direct', with: bob.user.id });
      for (let i = 0; i < 1_001; i++) await acked(a, direct, `message ${i}`);
      const zip = unzipSync(new Uint8Array(await (await fetch(`${own.url}/api/account/export`, { headers: { Authorization: `Bearer ${alice.token}` } })).arrayBuffer()));
      const messages = JSON.parse(new TextDecoder().decode(zip['messages.json'])) as { seq: number; body: string }[];
      expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: 1_001 }, (_, i) => i + 1));
      expect(messages.at(-1)?.body).toBe('message 1000');
      await a.close();
    } finally {
      await own.stop();
    }
  });

  test('refusals: no token, a bad token, another method', async () => {
    const alice = await register(relay.url);
    expect((await exportOf(undefined)).status).toBe(401);
    expect((await exportOf('not-a-token')).status).toBe(401);
    const posted = await postJson(relay.url, '/api/account/export', {}, { Authorization: `Bearer ${alice.token}` });
    expect(posted.status).toBe(405);
  });
});

describe('duplex-relay user delete', () => {
  test('needs --yes, erases like the user would, and knows no deleted user', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const direct = await conversation(a, { t: 'create', kind: 'direct', with: bob.user.id });
    const seq = await acked(a, direct, 'erased by the operator');
    const data = ['--data', relay.dataDir];

    const unconfirmed = await runInProcess(['user', 'delete', alice.user.username, ...data]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await a.request({ t: 'ping' })).t).toBe('pong');

    const deleted = await runInProcess(['user', 'delete', alice.user.username, '--yes', ...data]);
    expect(deleted).toMatchObject({ code: 0, stderr: '' });
    expect(deleted.stdout).toContain(`deleted ${alice.user.username}: 1 message(s) and reaction(s) erased, 0 file(s), 1 session(s) revoked`);
    // The running relay closes the user's socket at its next token sweep.
    expect((await a.closed).code).toBe(CLOSE_CODES.unauthorized);
    const [b, synced] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(synced.batches.find((each) => each.conv === direct)?.msgs.find((message) => message.seq === seq)).toMatchObject({
      deleted: true,
      body: '',
    });
    await b.close();

    const twice = await runInProcess(['user', 'delete', alice.user.username, '--yes', ...data]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(alice.user.username);
    const help = await runInProcess(['user', 'delete', '--help']);
    expect(help.stdout).toMatch(/Usage: duplex-relay user delete USERNAME \[options\][^]*--yes/);
  });
});
