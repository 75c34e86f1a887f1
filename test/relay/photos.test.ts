// Profile and group photos (docs/protocol.md, "Profiles"), against a real
// relay over real sockets and real file storage: who may read a photo
// (contacts and members, nobody else: 404), the live announcements, the
// previous photo erased (record and bytes) when replaced, and the
// refusals.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FILES_PATH, MAX_PHOTO_BYTES } from '../../src/shared/protocol/index.ts';
import { type FrameOf, register, TestClient } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { startTestRelay, type TestRelay } from './support/relay.ts';
import { bearer, uploadFile } from './support/tus.ts';

let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ rateLimits: false });
});
afterAll(async () => {
  await relay.stop();
});

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

function download(token: string, id: string): Promise<Response> {
  return fetch(`${relay.url}${FILES_PATH}/${id}`, { headers: bearer(token) });
}

/** The files the relay's data directory holds, by name (the storage keeps each under its id). */
async function storedFileNames(): Promise<string[]> {
  const names: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name));
      else names.push(entry.name);
    }
  }
  await walk(path.join(relay.dataDir, 'files'));
  return names;
}

describe('profile photos', () => {
  test('contacts see it at once and may download it; a stranger gets 404; replacing it erases the old one', async () => {
    const { a, b, alice, bob } = await directPair(relay);
    const stranger = await register(relay.url);
    const first = await uploadFile(relay.url, alice.token, JPEG, 'me.jpg', 'image/jpeg');

    const answer = (await a.request({ t: 'profile', photo: first })) as FrameOf<'user'>;
    expect(answer.user).toEqual({ ...alice.user, photo: first });
    expect((await b.next('user')).user.photo).toBe(first);
    expect((await download(stranger.token, first)).status).toBe(404);
    const bobs = await download(bob.token, first);
    expect(bobs.status).toBe(200);
    expect(new Uint8Array(await bobs.arrayBuffer())).toEqual(JPEG);
    expect((await storedFileNames()).some((name) => name.startsWith(first))).toBe(true);

    const second = await uploadFile(relay.url, alice.token, JPEG, 'me2.jpg', 'image/jpeg');
    await a.request({ t: 'profile', photo: second });
    expect((await b.next('user')).user.photo).toBe(second);
    // The first is gone: record (404 for its owner too) and bytes.
    expect((await download(alice.token, first)).status).toBe(404);
    expect((await storedFileNames()).some((name) => name.startsWith(first))).toBe(false);

    const removed = (await a.request({ t: 'profile', photo: null })) as FrameOf<'user'>;
    expect(removed.user.photo).toBeUndefined();
    expect((await download(alice.token, second)).status).toBe(404);
    await Promise.all([a.close(), b.close()]);
  });

  test('refusals: someone else’s upload, an unfinished one, not an image, too large, not a file id', async () => {
    const [alice, bob] = await Promise.all([register(relay.url), register(relay.url)]);
    const [a] = await TestClient.signIn(relay.wsUrl, alice.token);
    const bobs = await uploadFile(relay.url, bob.token, JPEG, 'bob.jpg', 'image/jpeg');
    const pdf = await uploadFile(relay.url, alice.token, JPEG, 'x.pdf', 'application/pdf');
    const svg = await uploadFile(relay.url, alice.token, new TextEncoder().encode('<svg/>'), 'x.svg', 'image/svg+xml');
    const huge = await uploadFile(relay.url, alice.token, new Uint8Array(MAX_PHOTO_BYTES + 1), 'big.jpg', 'image/jpeg');
    for (const photo of [bobs, pdf, svg, huge, 'A'.repeat(24)]) {
      expect(await a.request({ t: 'profile', photo })).toMatchObject({ t: 'error', code: 'invalid' });
    }
    for (const photo of ['../etc/passwd', 42, '']) {
      expect(await a.request({ t: 'profile', photo })).toMatchObject({ t: 'error', code: 'bad_frame' });
    }
    expect(await a.request({ t: 'profile' })).toMatchObject({ user: alice.user });
    await a.close();
  });
});

describe('group photos', () => {
  test('any member sets it, every member sees it and may read it, nobody else; direct chats have none', async () => {
    const { a, b, alice, bob, conv: direct } = await directPair(relay);
    const carol = await register(relay.url);
    const created = (await a.request({ t: 'create', kind: 'group', title: 'Hikers', members: [bob.user.id] })) as FrameOf<'conv'>;
    await b.next('conv', (frame) => frame.conv.id === created.conv.id);
    const photo = await uploadFile(relay.url, bob.token, JPEG, 'group.jpg', 'image/jpeg');

    const answer = (await b.request({ t: 'group_photo', conv: created.conv.id, photo })) as FrameOf<'conv'>;
    expect(answer.conv.photo).toBe(photo);
    expect((await a.next('conv', (frame) => frame.conv.photo === photo)).conv.id).toBe(created.conv.id);
    expect((await download(alice.token, photo)).status).toBe(200);
    expect((await download(carol.token, photo)).status).toBe(404);

    expect(await a.request({ t: 'group_photo', conv: direct, photo: null })).toMatchObject({ t: 'error', code: 'forbidden' });
    const [c] = await TestClient.signIn(relay.wsUrl, carol.token);
    expect(await c.request({ t: 'group_photo', conv: created.conv.id, photo: null })).toMatchObject({ t: 'error', code: 'not_found' });
    // Alice removes it: erased.
    const cleared = (await a.request({ t: 'group_photo', conv: created.conv.id, photo: null })) as FrameOf<'conv'>;
    expect(cleared.conv.photo).toBeUndefined();
    expect((await download(bob.token, photo)).status).toBe(404);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});
