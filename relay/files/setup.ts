// Builds the relay's FileService from its configuration: finished files in
// `<dataDir>/files` or the configured S3 bucket, uploads in progress in
// `<dataDir>/uploads` (with a bucket: in the bucket, so that any node of a
// cluster resumes them), and the periodic sweep started.
import path from 'node:path';
import type { Registry } from 'prom-client';
import type { RelayConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { RelayStore } from '../store/types.ts';
import type { BucketLimiter } from '../rate-limit.ts';
import type { TokenExpiry } from '../token-expiry.ts';
import { DiskStorage } from './disk-storage.ts';
import type { FileAreas } from './erase-files.ts';
import { FileMetrics } from './metrics.ts';
import { S3Storage } from './s3-storage.ts';
import { FileService } from './service.ts';
import { S3Uploads } from './s3-uploads.ts';
import { UploadArea } from './uploads.ts';

export function filesDirIn(dataDir: string): string {
  return path.join(dataDir, 'files');
}

export function uploadsDirIn(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** Where the files of the relay configured live: finished ones, and uploads in progress (in the bucket too when there is one). */
export function fileAreasOf(config: RelayConfig): FileAreas {
  const bucket = config.s3 && new S3Storage(config.s3);
  const uploadsDir = uploadsDirIn(config.dataDir);
  return {
    storage: bucket || new DiskStorage(filesDirIn(config.dataDir)),
    uploads: bucket ? new S3Uploads(bucket, uploadsDir) : new UploadArea(uploadsDir),
  };
}

export function createFileService(
  config: RelayConfig,
  store: RelayStore,
  registry: Registry,
  tokenExpiry: TokenExpiry,
  creations: BucketLimiter,
  log: Logger,
): FileService {
  const service = new FileService({
    store,
    ...fileAreasOf(config),
    limits: config.limits,
    creations,
    metrics: new FileMetrics(registry, store),
    log,
    tokenExpiry,
  });
  service.startSweeping(config.limits.fileSweepIntervalMs);
  return service;
}
