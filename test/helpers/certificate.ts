// Self-signed certificates for tests of TLS (the relay's own, and the reverse
// proxies in front of it), made with the openssl command line: Node can use
// certificates but not make them. Tests that need one skip when openssl is
// missing (`.ci/run` installs it).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

export interface Certificate {
  certFile: string;
  keyFile: string;
  /** The certificate (PEM), for clients to trust as their only authority. */
  ca: Buffer;
}

/**
 * Writes a one-day P-256 certificate for `name` and its key into `dir`.
 * `name` is a host name or an IPv4 address; it becomes the subject and the
 * only subjectAltName (what clients check).
 */
export function makeSelfSignedCertificate(dir: string, name: string): Certificate {
  const certFile = path.join(dir, `${name}.crt.pem`);
  const keyFile = path.join(dir, `${name}.key.pem`);
  const altName = /^\d+\.\d+\.\d+\.\d+$/.test(name) ? `IP:${name}` : `DNS:${name}`;
  const made = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', `/CN=${name}`, '-addext', `subjectAltName=${altName}`, '-days', '1',
    '-keyout', keyFile, '-out', certFile,
  ]);
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return { certFile, keyFile, ca: readFileSync(certFile) };
}
