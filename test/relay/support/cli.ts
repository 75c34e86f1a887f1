// Runs `duplex-relay` (relay/main.ts) as a child process, the way an operator
// does, without blocking the test's event loop (relays and clients in the
// test process keep running meanwhile); or, for the many cheap cases of
// usage, its command line inside the test process with the same result shape.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCommandLine } from '../../../relay/cli/run.ts';

export const MAIN = fileURLToPath(new URL('../../../relay/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, which is then closed. */
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Cheap password hashes, as the test relays use. */
const TEST_ENV = { DUPLEX_SCRYPT_COST: '10' };

export function runCli(args: string[], { input, env = {}, timeoutMs = 15_000 }: CliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, ...TEST_ENV, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`duplex-relay ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    // 'close' comes after the exit, once stdout and stderr are drained.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The command line in this process, with only `env` (plus TEST_ENV) as its environment. Not for `serve`. */
export async function runInProcess(args: string[], { input = '', env = {} }: Omit<CliOptions, 'timeoutMs'> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCommandLine(args, {
    env: { ...TEST_ENV, ...env },
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
    readStdin: async () => input,
  });
  return { code, stdout, stderr };
}
