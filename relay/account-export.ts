// "Download my data" (GET /api/account/export, docs/protocol.md, "Your data"):
// everything the relay holds about the user, as a ZIP streamed while it is
// read, so that neither the archive nor any file in it sits in memory whole
// (fflate's streaming Zip; each chunk waits for the socket to drain):
//
// - account.json: the user's profile, privacy settings (group adds, whom
//   they blocked), devices (sign-ins as the Devices list shows them: no
//   credential) and conversations, each with its members, receipts and the
//   user's own chat state;
// - messages.json: every message the user sent, changes (edits, deletes,
//   reactions) included, in its current state, by conversation then seq;
// - files.json and files/: the files the user uploaded, each record and its bytes.
//
// Only the token's user is exported: the request names nobody.
import type { ServerResponse } from 'node:http';
import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { User } from '../src/shared/protocol/index.ts';
import { toDevice } from './devices.ts';
import type { FileService } from './files/service.ts';
import type { FileRecord, RelayStore } from './store/types.ts';

/** Messages read from the store at once. */
const MESSAGE_PAGE = 500;

/** Level 6: zlib's default balance of speed and size for the JSON entries. */
const JSON_COMPRESSION = { level: 6 } as const;

export interface ExportSource {
  store: RelayStore;
  files: FileService;
}

/** Writes the user's export as the whole answer; the status line goes out first, so a failure midway cuts the archive short. */
export async function writeAccountExport(source: ExportSource, user: User, tokenHash: string, response: ServerResponse, now: number): Promise<void> {
  const { store } = source;
  response.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${exportFileName(user.username, now)}"`,
    'Cache-Control': 'no-store',
  });
  const zip = new Zip((error, chunk, final) => {
    if (error) response.destroy(error);
    else if (!response.destroyed) {
      response.write(chunk);
      if (final) response.end();
    }
  });
  const drained = () => whenDrained(response);

  const [privacy, signIns, conversations, states, uploads] = await Promise.all([
    store.privacyOf(user.id),
    store.listTokens(user.id),
    store.conversationsOf(user.id),
    store.chatStatesOf(user.id),
    store.filesUploadedBy(user.id),
  ]);
  addJson(zip, 'account.json', {
    exportedAt: new Date(now).toISOString(),
    user,
    privacy,
    devices: signIns.map((record) => toDevice(record, tokenHash)),
    conversations: conversations.map((conversation) => ({ ...conversation, mine: states.get(conversation.id) })),
  });
  if (!(await drained())) return;

  const messages = new ZipDeflate('messages.json', JSON_COMPRESSION);
  zip.add(messages);
  messages.push(strToU8('['));
  let after: { conv: string; seq: number } | null = null;
  let first = true;
  for (;;) {
    const page = await store.messagesBy(user.id, after, MESSAGE_PAGE);
    if (page.length > 0) {
      messages.push(strToU8(`${first ? '' : ','}\n${page.map((message) => JSON.stringify(message)).join(',\n')}`));
      first = false;
    }
    if (!(await drained())) return;
    if (page.length < MESSAGE_PAGE) break;
    const last = page[page.length - 1] as (typeof page)[number];
    after = { conv: last.conv, seq: last.seq };
  }
  messages.push(strToU8('\n]\n'), true);

  addJson(
    zip,
    'files.json',
    uploads.map((record) => ({ ...record, path: entryPath(record) })),
  );
  for (const record of uploads) {
    const entry = new ZipPassThrough(entryPath(record));
    zip.add(entry);
    const body = await source.files.open(record);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      entry.push(chunk);
      if (!(await drained())) {
        body.destroy();
        return;
      }
    }
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
}

/** Resolves once the socket's buffer is no longer full: true, or false when the client has gone. */
function whenDrained(response: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (!response.writableNeedDrain || response.destroyed) {
      resolve(!response.destroyed);
      return;
    }
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve(!response.destroyed);
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function addJson(zip: Zip, name: string, value: unknown): void {
  const entry = new ZipDeflate(name, JSON_COMPRESSION);
  zip.add(entry);
  entry.push(strToU8(`${JSON.stringify(value, null, 2)}\n`), true);
}

/** files/ID-NAME: the id keeps two files of one name apart; the name loses what a file system would refuse. */
function entryPath(record: FileRecord): string {
  // eslint-disable-next-line no-control-regex
  const name = record.name.replace(/[\u0000-\u001f\u007f/\\<>:"|?*]/g, '_').replace(/^\.+/, '_');
  return `files/${record.id}-${name || 'file'}`;
}

function exportFileName(username: string, now: number): string {
  return `duplex-${username}-${new Date(now).toISOString().slice(0, 10)}.zip`;
}
