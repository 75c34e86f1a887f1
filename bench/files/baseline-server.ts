// The baseline of `npm run bench:files`: a plain node:http server that streams
// request bodies to files and files back, with nothing else (no auth, no
// records, no hashing). `PUT /NAME` stores, `GET /NAME` serves. Prints its
// listening line like the relay. With `--fsync` each stored file is flushed
// to disk before the answer, as the relay does with a finished upload.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const flush = process.argv.includes('--fsync');
const dir = await mkdtemp(path.join(tmpdir(), 'duplex-bench-files-baseline-'));

const server = createServer((request, response) => {
  const name = path.basename(request.url ?? '');
  const file = path.join(dir, name);
  const fail = () => {
    if (!response.headersSent) response.writeHead(500);
    response.end();
  };
  if (request.method === 'PUT') {
    pipeline(request, createWriteStream(file))
      .then(async () => {
        if (flush) {
          const handle = await open(file, 'r');
          await handle.sync();
          await handle.close();
        }
        response.writeHead(204);
        response.end();
      })
      .catch(fail);
  } else {
    stat(file).then((found) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': found.size });
      return pipeline(createReadStream(file), response);
    }).catch(fail);
  }
});

server.listen(0, '127.0.0.1', () => {
  console.log(`baseline${flush ? ' (fsync)' : ''} listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void rm(dir, { recursive: true, force: true }).then(() => process.exit(0));
});
