// A real S3-compatible server (s3rver, on disk in a temporary directory) on a
// free loopback port, for the S3 file storage and relays that use it. The
// AWS SDK takes its credentials from the standard variables, as in production;
// s3rver accepts the ones set here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../../relay/files/s3-storage.ts';

export interface TestS3 {
  settings: S3Settings;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<TestS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'duplex-s3rver-'));
  const bucket = 'duplex-files';
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  return {
    settings: { bucket, region: 'us-east-1', endpoint: `http://127.0.0.1:${address.port}` },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
