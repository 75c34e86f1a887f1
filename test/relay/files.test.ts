// Files over the wire (PROTOCOL.md, "Files"): tus uploads at /api/files, a
// `send` carrying a file, downloads and who may make them, limits, the sweep.
// A real relay on loopback with a real data directory; nothing is mocked.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FILES_PATH } from '../../src/shared/protocol/index.ts';
import { register, TestClient, uniqueCid } from './support/client.ts';
import { directPair } from './support/direct-pair.ts';
import { scrapeMetrics, startTestRelay, type TestRelay } from './support/relay.ts';
import { bearer, createUpload, createWithUpload, download, head, metadata, patch, sha256, TUS, uploadFile } from './support/tus.ts';

const MAX_FILE = 64 * 1024;
let relay: TestRelay;

beforeAll(async () => {
  relay = await startTestRelay({ limits: { fileBytes: MAX_FILE, fileQuotaBytes: 4 * MAX_FILE, uploadBurst: 1000 } });
});
afterAll(async () => {
  await relay.stop();
});

const filesUrl = () => `${relay.url}${FILES_PATH}`;

describe('tus uploads', () => {
  test('create, patch in two parts, HEAD tells the offset; the file lands 0600 in DATA/files', async () => {
    const { token } = await register(relay.url);
    const bytes = randomBytes(3000);
    const created = await createUpload(relay.url, token, bytes.length);
    expect(created.status).toBe(201);
    expect(created.response.headers.get('location')).toMatch(/^\/api\/files\/[A-Za-z0-9_-]{24}$/);
    expect(created.response.headers.get('tus-resumable')).toBe('1.0.0');
    const first = await patch(relay.url, token, created.id, 0, bytes.subarray(0, 1000));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe('1000');
    const probe = await head(relay.url, token, created.id);
    expect([probe.status, probe.headers.get('upload-offset'), probe.headers.get('upload-length')]).toEqual([200, '1000', '3000']);
    expect(probe.headers.get('cache-control')).toBe('no-store');
    const second = await patch(relay.url, token, created.id, 1000, bytes.subarray(1000));
    expect(second.headers.get('upload-offset')).toBe('3000');
    const file = path.join(relay.dataDir, 'files', created.id);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(relay.dataDir, 'files'))).mode & 0o777).toBe(0o700);
    const { response, body } = await download(relay.url, token, created.id);
    expect(response.status).toBe(200);
    expect(sha256(body)).toBe(sha256(bytes));
    expect(response.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
  });

  test('OPTIONS announces version, extensions and the size limit', async () => {
    const { token } = await register(relay.url);
    const response = await fetch(filesUrl(), { method: 'OPTIONS', headers: bearer(token) });
    expect(response.status).toBe(204);
    expect(response.headers.get('tus-version')).toBe('1.0.0');
    expect(response.headers.get('tus-extension')).toBe('creation,creation-with-upload,termination');
    expect(response.headers.get('tus-max-size')).toBe(String(MAX_FILE));
  });

  test('every request needs a valid bearer token: 401 otherwise', async () => {
    const { token } = await register(relay.url);
    const id = (await createUpload(relay.url, token, 10)).id;
    const attempts: [string, string, Record<string, string>][] = [
      ['POST', filesUrl(), { 'Upload-Length': '10' }],
      ['OPTIONS', filesUrl(), {}],
      ['HEAD', `${filesUrl()}/${id}`, {}],
      ['PATCH', `${filesUrl()}/${id}`, { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }],
      ['DELETE', `${filesUrl()}/${id}`, {}],
      ['GET', `${filesUrl()}/${id}`, {}],
    ];
    for (const [method, url, headers] of attempts) {
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${token}`]) {
        const response = await fetch(url, {
          method,
          headers: { ...TUS, ...headers, ...(authorization ? { Authorization: authorization } : {}) },
          body: method === 'PATCH' ? 'abc' : undefined,
        });
        expect([method, response.status]).toEqual([method, 401]);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
    expect((await head(relay.url, token, id)).headers.get('upload-offset')).toBe('0');
  });

  test('an expired sign-in is refused like a revoked one: 401, session expired', async () => {
    const expiring = await startTestRelay({ limits: { sessionIdleMs: 1_000 } });
    try {
      const { token } = await register(expiring.url);
      expect((await createUpload(expiring.url, token, 1)).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const refused = await fetch(`${expiring.url}${FILES_PATH}`, { method: 'OPTIONS', headers: bearer(token) });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('session expired');
    } finally {
      await expiring.stop();
    }
  });

  test('Upload-Length over the limit: 413; missing or malformed: 400', async () => {
    const { token } = await register(relay.url);
    expect((await createUpload(relay.url, token, MAX_FILE + 1)).status).toBe(413);
    expect((await createUpload(relay.url, token, MAX_FILE)).status).toBe(201);
    for (const length of [undefined, '-1', '1e3', 'ten', '99999999999999999999']) {
      const response = await fetch(filesUrl(), {
        method: 'POST',
        headers: { ...TUS, ...bearer(token), ...(length === undefined ? {} : { 'Upload-Length': length }) },
      });
      expect([length, response.status]).toEqual([length, 400]);
    }
  });

  test('a request without Tus-Resumable: 412', async () => {
    const { token } = await register(relay.url);
    const response = await fetch(filesUrl(), { method: 'POST', headers: { ...bearer(token), 'Upload-Length': '3' } });
    expect(response.status).toBe(412);
    expect(response.headers.get('tus-version')).toBe('1.0.0');
  });

  test('only the uploader may HEAD, PATCH or DELETE an upload: 404 for anyone else, as for an unknown id', async () => {
    const { token } = await register(relay.url);
    const other = await register(relay.url);
    const { id } = await createUpload(relay.url, token, 10);
    expect((await head(relay.url, other.token, id)).status).toBe(404);
    expect((await patch(relay.url, other.token, id, 0, Buffer.from('0123456789'))).status).toBe(404);
    const deleted = await fetch(`${filesUrl()}/${id}`, { method: 'DELETE', headers: { ...TUS, ...bearer(other.token) } });
    expect(deleted.status).toBe(404);
    expect((await head(relay.url, other.token, 'A'.repeat(24))).status).toBe(404);
    expect((await head(relay.url, token, id)).headers.get('upload-offset')).toBe('0');
  });

  test('an offset that is not the upload\'s: 409, nothing written', async () => {
    const { token } = await register(relay.url);
    const { id } = await createUpload(relay.url, token, 10);
    await patch(relay.url, token, id, 0, Buffer.from('01234'));
    expect((await patch(relay.url, token, id, 0, Buffer.from('xxxxx'))).status).toBe(409);
    expect((await patch(relay.url, token, id, 7, Buffer.from('xxx'))).status).toBe(409);
    expect((await head(relay.url, token, id)).headers.get('upload-offset')).toBe('5');
    await patch(relay.url, token, id, 5, Buffer.from('56789'));
    expect((await download(relay.url, token, id)).body.toString()).toBe('0123456789');
    expect((await patch(relay.url, token, id, 10, Buffer.from('more'))).status).toBe(409);
  });

  test('a PATCH of another Content-Type: 415', async () => {
    const { token } = await register(relay.url);
    const { id } = await createUpload(relay.url, token, 3);
    for (const type of ['application/octet-stream', 'text/plain', '']) {
      const response = await fetch(`${filesUrl()}/${id}`, {
        method: 'PATCH',
        headers: { ...TUS, ...bearer(token), 'Upload-Offset': '0', 'Content-Type': type },
        body: 'abc',
      });
      expect([type, response.status]).toEqual([type, 415]);
    }
  });

  test('a body longer than Upload-Length: 413 and nothing of it kept', async () => {
    const { token } = await register(relay.url);
    const { id } = await createUpload(relay.url, token, 10);
    await patch(relay.url, token, id, 0, Buffer.from('0123'));
    expect((await patch(relay.url, token, id, 4, Buffer.from('456789ABCDEF'))).status).toBe(413);
    expect((await head(relay.url, token, id)).headers.get('upload-offset')).toBe('4');
  });

  test('ids with path characters are no file: 404, and nothing outside the files is reached', async () => {
    const { token } = await register(relay.url);
    for (const target of ['../relay.db', '..%2Frelay.db', '%2e%2e%2frelay.db', 'x/../../relay.db', 'A'.repeat(23) + '/', 'A'.repeat(25), 'relay.db']) {
      const response = await fetch(`${filesUrl()}/${target}`, { headers: bearer(token) });
      expect([target, response.status]).toEqual([target, 404]);
    }
  });

  test('oversized or malformed metadata: 400; a path in the name is reduced to its last part', async () => {
    const { token } = await register(relay.url);
    const post = (value: string) =>
      fetch(filesUrl(), { method: 'POST', headers: { ...TUS, ...bearer(token), 'Upload-Length': '1', 'Upload-Metadata': value } });
    expect((await post(`filename ${Buffer.from('x'.repeat(4000)).toString('base64')}`)).status).toBe(400);
    expect((await post(`filename ${Buffer.from('n'.repeat(256)).toString('base64')}`)).status).toBe(400);
    expect((await post('filename not*base64')).status).toBe(400);
    expect((await post('filename YQ==,filename YQ==')).status).toBe(400);
    expect((await post(`filename ${Buffer.from([0xff, 0xfe]).toString('base64')}`)).status).toBe(400);
    const created = await fetch(filesUrl(), {
      method: 'POST',
      headers: { ...TUS, ...bearer(token), 'Upload-Length': '1', 'Upload-Metadata': metadata('../../etc/pass\u0007wd', 'Text/HTML; charset=x') },
    });
    expect(created.status).toBe(201);
    const id = (created.headers.get('location') ?? '').split('/').at(-1) as string;
    await patch(relay.url, token, id, 0, Buffer.from('x'));
    const { response } = await download(relay.url, token, id);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="passwd"; filename*=UTF-8''passwd`);
    expect(response.headers.get('content-type')).toBe('text/html');
  });

  test('DELETE terminates an unfinished upload; a finished one stays', async () => {
    const { token } = await register(relay.url);
    const { id } = await createUpload(relay.url, token, 10);
    const deleted = await fetch(`${filesUrl()}/${id}`, { method: 'DELETE', headers: { ...TUS, ...bearer(token) } });
    expect(deleted.status).toBe(204);
    expect((await head(relay.url, token, id)).status).toBe(404);
    expect(await readdir(path.join(relay.dataDir, 'uploads'))).not.toContain(id);
    const done = await uploadFile(relay.url, token, Buffer.from('kept'));
    const refused = await fetch(`${filesUrl()}/${done}`, { method: 'DELETE', headers: { ...TUS, ...bearer(token) } });
    expect(refused.status).toBe(409);
    expect((await download(relay.url, token, done)).body.toString()).toBe('kept');
  });

  test('a user\'s storage quota: an upload beyond it gets 413', async () => {
    const { token } = await register(relay.url);
    for (let i = 0; i < 4; i++) expect((await createUpload(relay.url, token, MAX_FILE)).status).toBe(201);
    const over = await createUpload(relay.url, token, 1);
    expect(over.status).toBe(413);
  });

  test('simultaneous uploads of one user can not together pass the quota', async () => {
    const { token } = await register(relay.url);
    const statuses = await Promise.all(Array.from({ length: 7 }, async () => (await createUpload(relay.url, token, MAX_FILE)).status));
    expect(statuses.filter((status) => status === 201)).toHaveLength(4);
    expect(statuses.filter((status) => status === 413)).toHaveLength(3);
  });
});

describe('creation with upload', () => {
  const listing = async (dir: string) => (await readdir(path.join(relay.dataDir, dir))).sort();

  test('a POST with the whole body: 201 at the full offset, finished, the file 0600 in DATA/files', async () => {
    const { token } = await register(relay.url);
    const bytes = randomBytes(5000);
    const created = await createWithUpload(relay.url, token, bytes.length, bytes);
    expect(created.status).toBe(201);
    expect(created.response.headers.get('upload-offset')).toBe('5000');
    const probe = await head(relay.url, token, created.id);
    expect([probe.status, probe.headers.get('upload-offset'), probe.headers.get('upload-length')]).toEqual([200, '5000', '5000']);
    expect((await stat(path.join(relay.dataDir, 'files', created.id))).mode & 0o777).toBe(0o600);
    expect(await listing('uploads')).not.toContain(created.id);
    const { response, body } = await download(relay.url, token, created.id);
    expect([response.status, sha256(body), response.headers.get('etag')]).toEqual([200, sha256(bytes), `"${sha256(bytes)}"`]);
    expect(response.headers.get('content-type')).toBe('text/plain');
  });

  test('a POST with part of the body: 201 at that offset, a PATCH sends the rest', async () => {
    const { token } = await register(relay.url);
    const bytes = randomBytes(3000);
    const created = await createWithUpload(relay.url, token, bytes.length, bytes.subarray(0, 1200));
    expect([created.status, created.response.headers.get('upload-offset')]).toEqual([201, '1200']);
    expect((await head(relay.url, token, created.id)).headers.get('upload-offset')).toBe('1200');
    expect((await download(relay.url, token, created.id)).response.status).toBe(404);
    const rest = await patch(relay.url, token, created.id, 1200, bytes.subarray(1200));
    expect([rest.status, rest.headers.get('upload-offset')]).toEqual([204, '3000']);
    expect(sha256((await download(relay.url, token, created.id)).body)).toBe(sha256(bytes));
  });

  test('a chunked body (no Content-Length) is kept as it arrives, and finishes the upload when it is all of it', async () => {
    const { token } = await register(relay.url);
    const bytes = randomBytes(4000);
    const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const created = await createWithUpload(relay.url, token, bytes.length, body);
    expect([created.status, created.response.headers.get('upload-offset')]).toEqual([201, '4000']);
    expect(sha256((await download(relay.url, token, created.id)).body)).toBe(sha256(bytes));
  });

  test('a body longer than Upload-Length, over the size limit, over the quota or of another type: refused, nothing kept', async () => {
    const { token } = await register(relay.url);
    const before = { uploads: await listing('uploads'), files: await listing('files') };
    const longer = await createWithUpload(relay.url, token, 10, Buffer.from('0123456789AB'));
    expect(longer.status).toBe(413);
    const huge = Buffer.alloc(MAX_FILE + 1);
    expect((await createWithUpload(relay.url, token, huge.length, huge)).status).toBe(413);
    for (const type of ['application/octet-stream', 'text/plain']) {
      const wrong = await createWithUpload(relay.url, token, 3, 'abc', { 'Content-Type': type });
      expect([type, wrong.status]).toEqual([type, 415]);
    }
    const untyped = await fetch(filesUrl(), { method: 'POST', headers: { ...TUS, ...bearer(token), 'Upload-Length': '3' }, body: new Uint8Array([1, 2, 3]) });
    expect(untyped.status).toBe(415);
    // A chunked body (no Content-Length) is counted as it arrives: past Upload-Length, 413.
    const chunks = [Buffer.from('0123'), Buffer.from('456789AB')];
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect((await createWithUpload(relay.url, token, 10, chunked)).status).toBe(413);
    expect({ uploads: await listing('uploads'), files: await listing('files') }).toEqual(before);
    for (let i = 0; i < 4; i++) expect((await createUpload(relay.url, token, MAX_FILE)).status).toBe(201);
    const over = await createWithUpload(relay.url, token, 1, 'x');
    expect(over.status).toBe(413);
    expect(await listing('files')).toEqual(before.files);
  });

  test.each([
    ['the whole upload', MAX_FILE],
    ['part of the upload', MAX_FILE / 2],
  ])('a client that goes away during a POST with %s leaves nothing: no file, no record, its quota free', async (_, bodyLength) => {
    const { token } = await register(relay.url);
    const before = await listing('uploads');
    const socket = connect(Number(new URL(relay.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `POST ${FILES_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Length: ${MAX_FILE}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: ${bodyLength}\r\n\r\n`,
    );
    socket.write(randomBytes(1000));
    // The relay has made the upload's file once the bytes reach it; then the client goes away.
    const patiently = { timeout: 20_000, interval: 20 };
    await expect.poll(async () => (await listing('uploads')).length, patiently).toBeGreaterThan(before.length);
    socket.destroy();
    await expect.poll(() => listing('uploads'), patiently).toEqual(before);
    // All of the quota is free again: four uploads of the size limit fit.
    for (let i = 0; i < 4; i++) expect((await createUpload(relay.url, token, MAX_FILE)).status).toBe(201);
  });
});

describe('downloads', () => {
  test('Range: 206 with Content-Range; suffix and open ranges; past the end 416', async () => {
    const { token } = await register(relay.url);
    const id = await uploadFile(relay.url, token, Buffer.from('0123456789'), 'digits.txt', 'text/plain');
    const part = await download(relay.url, token, id, { Range: 'bytes=2-5' });
    expect([part.response.status, part.body.toString()]).toEqual([206, '2345']);
    expect(part.response.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(part.response.headers.get('content-length')).toBe('4');
    expect((await download(relay.url, token, id, { Range: 'bytes=-3' })).body.toString()).toBe('789');
    expect((await download(relay.url, token, id, { Range: 'bytes=8-' })).body.toString()).toBe('89');
    const past = await download(relay.url, token, id, { Range: 'bytes=10-' });
    expect(past.response.status).toBe(416);
    expect(past.response.headers.get('content-range')).toBe('bytes */10');
    const whole = await download(relay.url, token, id, { Range: 'bytes=1-2,4-5' });
    expect([whole.response.status, whole.body.toString()]).toEqual([200, '0123456789']);
    const etag = whole.response.headers.get('etag') as string;
    expect((await download(relay.url, token, id, { 'If-None-Match': etag })).response.status).toBe(304);
  });

  test('headers: nosniff and sandbox always; inline only for media types browsers do not execute', async () => {
    const { token } = await register(relay.url);
    const cases: [string, string, string][] = [
      ['image/jpeg', 'inline', 'image/jpeg'],
      ['video/mp4', 'inline', 'video/mp4'],
      ['audio/ogg', 'inline', 'audio/ogg'],
      ['text/html', 'attachment', 'text/html'],
      ['image/svg+xml', 'attachment', 'image/svg+xml'],
      ['application/xml', 'attachment', 'application/xml'],
      ['text/javascript', 'attachment', 'text/javascript'],
      ['application/pdf', 'attachment', 'application/pdf'],
      ['not a type', 'attachment', 'application/octet-stream'],
      ['', 'attachment', 'application/octet-stream'],
    ];
    for (const [declared, disposition, served] of cases) {
      const id = await uploadFile(relay.url, token, Buffer.from('<script>alert(1)</script>'), 'a file é.bin', declared);
      const { response } = await download(relay.url, token, id);
      expect(response.headers.get('content-disposition')).toBe(`${disposition}; filename="a file _.bin"; filename*=UTF-8''a%20file%20%C3%A9.bin`);
      expect(response.headers.get('content-type')).toBe(served);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe('sandbox');
    }
    const refused = await download(relay.url, token, 'A'.repeat(24));
    expect(refused.response.headers.get('content-security-policy')).toBe('sandbox');
    expect(refused.response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('messages with files', () => {
  test('a send carries a finished file: ack, msg and history hold MSG.file; the receiver may download it', async () => {
    const { alice, bob, a, b, conv } = await directPair(relay);
    const bytes = randomBytes(2048);
    const id = await uploadFile(relay.url, alice.token, bytes, 'holiday.jpg', 'image/jpeg');
    expect((await download(relay.url, bob.token, id)).response.status).toBe(404);
    const thumb = `data:image/jpeg;base64,${randomBytes(30).toString('base64')}`;
    const ack = await a.sendMessage(conv, '', { file: { id, width: 800, height: 600, thumb } });
    const file = { id, name: 'holiday.jpg', mime: 'image/jpeg', size: 2048, width: 800, height: 600, thumb };
    expect(ack).toMatchObject({ t: 'ack', msg: { body: '', file } });
    expect((await b.next('msg')).msg.file).toEqual(file);
    const history = await b.request({ t: 'history', rid: 'h1', conv });
    expect(history.t === 'history' && history.msgs.at(-1)?.file).toEqual(file);
    const [b2, synced] = await TestClient.signIn(relay.wsUrl, bob.token);
    expect(synced.batches.flatMap((batch) => batch.msgs).at(-1)?.file).toEqual(file);
    const { response, body } = await download(relay.url, bob.token, id);
    expect([response.status, sha256(body)]).toEqual([200, sha256(bytes)]);
    await Promise.all([a.close(), b.close(), b2.close()]);
  });

  test('nack invalid for a file unknown, unfinished, someone else\'s, or of a conversation the sender left', async () => {
    const { alice, bob, a, b, conv } = await directPair(relay);
    const carol = await register(relay.url);
    const [c] = await TestClient.signIn(relay.wsUrl, carol.token);
    const unfinished = (await createUpload(relay.url, alice.token, 10)).id;
    const carols = await uploadFile(relay.url, carol.token, Buffer.from('carol'));
    // Bob shares a file in a group with Carol; once she left, she may neither download nor forward it.
    const group = await c.request({ t: 'create', kind: 'group', title: 'g', members: [bob.user.id] });
    if (group.t !== 'conv') throw new Error('create failed');
    const bobs = await uploadFile(relay.url, bob.token, Buffer.from('bob'));
    await b.next('conv', (frame) => frame.conv.id === group.conv.id);
    expect(await b.sendMessage(group.conv.id, 'mine', { file: { id: bobs } })).toMatchObject({ t: 'ack' });
    expect((await download(relay.url, carol.token, bobs)).response.status).toBe(200);
    await c.request({ t: 'leave', rid: 'l1', conv: group.conv.id });
    expect((await download(relay.url, carol.token, bobs)).response.status).toBe(404);
    const direct = await c.request({ t: 'create', kind: 'direct', with: alice.user.id });
    if (direct.t !== 'conv') throw new Error('create failed');
    expect(await c.sendMessage(direct.conv.id, 'fwd', { file: { id: bobs } })).toMatchObject({ t: 'nack', code: 'invalid' });
    for (const id of ['B'.repeat(24), unfinished, carols]) {
      expect(await a.sendMessage(conv, 'x', { file: { id } })).toMatchObject({ t: 'nack', code: 'invalid' });
    }
    const own = await uploadFile(relay.url, alice.token, Buffer.from('a'));
    for (const thumb of ['data:image/svg+xml;base64,AAAA', 'https://example.com/x.jpg', `data:image/jpeg;base64,${'A'.repeat(12 * 1024)}`]) {
      expect(await a.sendMessage(conv, 'x', { file: { id: own, thumb } })).toMatchObject({ t: 'nack', code: 'invalid' });
    }
    expect(await a.sendMessage(conv, '  ', { file: { id: own } })).toMatchObject({ t: 'ack', msg: { body: '  ' } });
    // A file id that is not one (a path) is a malformed frame.
    const cid = uniqueCid();
    a.send({ t: 'send', cid, conv, body: 'x', file: { id: '../relay.db' } });
    expect(await a.next('error')).toMatchObject({ code: 'bad_frame' });
    await b.expectNone((frame) => frame.t === 'msg' && frame.msg.conv === conv && frame.msg.file?.id !== own);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('sweep and metrics', () => {
  test('removes unfinished uploads and unreferenced files after the retention time, and counts them', async () => {
    // Retention long enough for `carried` to be sent before a sweep may take it
    // as unreferenced (with 1 ms a loaded machine swept it between its upload
    // and its send), short enough for the polls below.
    const sweeping = await startTestRelay({ limits: { fileRetentionMs: 2_000, fileSweepIntervalMs: 100 } });
    try {
      const { alice, a, b, conv } = await directPair(sweeping);
      const unfinished = (await createUpload(sweeping.url, alice.token, 10)).id;
      // An upload file without a record, as a crash between the two leaves it.
      await writeFile(path.join(sweeping.dataDir, 'uploads', 'C'.repeat(24)), 'stray');
      const loose = await uploadFile(sweeping.url, alice.token, Buffer.from('loose'));
      const carried = await uploadFile(sweeping.url, alice.token, Buffer.from('carried'));
      await a.sendMessage(conv, 'kept', { file: { id: carried } });
      const swept = { timeout: 15_000 };
      await expect.poll(async () => (await head(sweeping.url, alice.token, unfinished)).status, swept).toBe(404);
      let looseDownloads = 0; // each before the sweep counts its 5 bytes below
      await expect
        .poll(async () => {
          const { status } = (await download(sweeping.url, alice.token, loose)).response;
          if (status === 200) looseDownloads++;
          return status;
        }, swept)
        .toBe(404);
      expect((await download(sweeping.url, alice.token, carried)).body.toString()).toBe('carried');
      expect(await readdir(path.join(sweeping.dataDir, 'files'))).toEqual([carried]);
      await expect.poll(() => readdir(path.join(sweeping.dataDir, 'uploads')), swept).toEqual([]);
      const metrics = await scrapeMetrics(sweeping);
      expect(metrics).toMatch(/^duplex_file_swept_total\{kind="unfinished"\} 2$/m);
      expect(metrics).toMatch(/^duplex_file_swept_total\{kind="unreferenced"\} 1$/m);
      expect(metrics).toMatch(/^duplex_file_sweeps_total [1-9]/m);
      expect(metrics).toMatch(/^duplex_files_stored 1$/m);
      expect(metrics).toMatch(/^duplex_file_upload_bytes_total 12$/m);
      // 7 bytes of `carried`, and 5 of `loose` for each poll that downloaded it before the sweep.
      expect(metrics).toMatch(new RegExp(`^duplex_file_download_bytes_total ${7 + 5 * looseDownloads}$`, 'm'));
      await Promise.all([a.close(), b.close()]);
    } finally {
      await sweeping.stop();
    }
  });

  test('uploads created per user are rate limited: 429 with Retry-After', async () => {
    const limited = await startTestRelay({ limits: { uploadBurst: 2, uploadsPerMinute: 1 } });
    try {
      const { token } = await register(limited.url);
      expect((await createUpload(limited.url, token, 1)).status).toBe(201);
      expect((await createUpload(limited.url, token, 1)).status).toBe(201);
      const third = await createUpload(limited.url, token, 1);
      expect(third.status).toBe(429);
      expect(third.response.headers.get('retry-after')).toBe('60');
      const other = await register(limited.url);
      expect((await createUpload(limited.url, other.token, 1)).status).toBe(201);
    } finally {
      await limited.stop();
    }
  });
});
