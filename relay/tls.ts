// Direct TLS (--tls-cert, --tls-key): HTTPS and WSS on the relay's one port,
// for a relay without a reverse proxy in front. The files are read once, at
// start; a renewed certificate takes a restart, which is graceful (clients
// reconnect by themselves).
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type TlsFiles } from './config.ts';

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks the certificate and key; a ConfigError says which file is wrong and why. */
export function readTlsCredentials(files: TlsFiles): TlsCredentials {
  const cert = readPem(files.certFile, 'tls-cert');
  const key = readPem(files.keyFile, 'tls-key');
  try {
    // Fails on a malformed certificate or key, or a key that does not match.
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(`tls-cert ${files.certFile} with tls-key ${files.keyFile}: ${(error as Error).message}`);
  }
  return { cert, key };
}

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${option}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
