// The file side's Prometheus metrics, on the relay's registry (metrics.ts):
// bytes uploaded and downloaded, files stored (read from the store at each
// scrape), what the sweep removed and what deletes for everyone erased.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RelayStore } from '../store/types.ts';

export class FileMetrics {
  readonly uploadBytes: Counter;
  readonly downloadBytes: Counter;
  readonly sweeps: Counter;
  readonly sweptFiles: Counter<'kind'>;
  readonly erasedFiles: Counter;

  constructor(registry: Registry, store: RelayStore) {
    const registers = [registry];
    this.uploadBytes = new Counter({ name: 'duplex_file_upload_bytes_total', help: 'File bytes received in tus PATCH bodies and creation requests', registers });
    this.downloadBytes = new Counter({ name: 'duplex_file_download_bytes_total', help: 'File bytes sent in downloads', registers });
    this.sweeps = new Counter({ name: 'duplex_file_sweeps_total', help: 'Runs of the sweep of expired files', registers });
    this.sweptFiles = new Counter({
      name: 'duplex_file_swept_total',
      help: 'Files the sweep removed: unfinished uploads, and finished files no message carries',
      labelNames: ['kind'] as const,
      registers,
    });
    this.erasedFiles = new Counter({
      name: 'duplex_file_erased_total',
      help: 'Files erased because the last message carrying them was deleted for everyone',
      registers,
    });
    const totals = () => store.fileTotals();
    new Gauge({
      name: 'duplex_files_stored',
      help: 'Finished files in the store',
      registers,
      async collect() {
        this.set((await totals()).files);
      },
    });
    new Gauge({
      name: 'duplex_file_stored_bytes',
      help: 'Bytes of the finished files in the store',
      registers,
      async collect() {
        this.set((await totals()).bytes);
      },
    });
  }
}
