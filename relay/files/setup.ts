// Builds the relay's FileService from its configuration: finished files in
// `<dataDir>/files` or the configured S3 bucket, uploads in progress in
// `<dataDir>/uploads`, and the periodic sweep started.
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
import { UploadArea } from './uploads.ts';

export function filesDirIn(dataDir: string): string {
  return path.join(dataDir, 'files');
}

export function uploadsDirIn(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** Where the files of the relay configured live: finished ones, and uploads in progress. */
export function fileAreasOf(config: RelayConfig): FileAreas {
  return {
    storage: config.s3 ? new S3Storage(config.s3) : new DiskStorage(filesDirIn(config.dataDir)),
    uploads: new UploadArea(uploadsDirIn(config.dataDir)),
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
