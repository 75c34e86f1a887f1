// Runs the relay as a child process (`node relay/main.ts`), the way it runs in
// production, for tests that need a real process: crash and restart, signals,
// exit codes. The port comes from the relay's "duplex relay listening on URL"
// line, so `--port 0` works; a restart reuses the same data directory and the
// same port, so clients can reconnect to the URL they had.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../relay/main.ts', import.meta.url));
const LISTENING = /^duplex relay listening on (http:\/\/\S+)$/m;

export interface RelayProcessOptions {
  /** Data directory; a fresh temporary one when absent (removed by cleanup()). */
  dataDir?: string;
  /** Extra command-line arguments, e.g. ['--no-rate-limits']. */
  args?: string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** How long to wait for the listening line. */
  startTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RelayProcess {
  readonly dataDir: string;
  readonly #options: RelayProcessOptions;
  readonly #ownsDataDir: boolean;
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> | undefined;
  #url = '';
  /** Everything the current process printed (stdout and stderr), for debugging failures. */
  output = '';

  private constructor(dataDir: string, ownsDataDir: boolean, options: RelayProcessOptions) {
    this.dataDir = dataDir;
    this.#ownsDataDir = ownsDataDir;
    this.#options = options;
  }

  static async start(options: RelayProcessOptions = {}): Promise<RelayProcess> {
    const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'duplex-relay-process-')));
    const relay = new RelayProcess(dataDir, options.dataDir === undefined, options);
    await relay.#spawn(['--port', '0']);
    return relay;
  }

  /** http://127.0.0.1:PORT */
  get url(): string {
    return this.#url;
  }

  get wsUrl(): string {
    return `${this.#url.replace(/^http/, 'ws')}/ws`;
  }

  get port(): number {
    return Number(new URL(this.#url).port);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<Exit> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) throw new Error('relay process is not running');
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`relay did not exit within ${timeoutMs} ms after ${signal}; output:\n${this.output}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the relay again on the same data directory and port. */
  async restart(): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) {
      throw new Error('stop the relay before restarting it');
    }
    await this.#spawn(['--port', String(this.port)]);
  }

  /** Kills the process if it still runs and removes a data directory this helper created. */
  async cleanup(): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) await this.stop('SIGKILL');
    if (this.#ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  async #spawn(portArgs: string[]): Promise<void> {
    const { args = [], env = {}, startTimeoutMs = 15_000 } = this.#options;
    this.output = '';
    const child = spawn(
      process.execPath,
      [MAIN, ...portArgs, '--data', this.dataDir, '--log-level', 'warn', '--scrypt-cost', '10', ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.#url = await new Promise<string>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`relay did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const onData = () => {
        const match = LISTENING.exec(this.output);
        if (!match || settled) return;
        settled = true;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(match[1] as string);
      };
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}; output:\n${this.output}`));
      };
      child.stdout.on('data', onData);
      void this.#exited?.then((exit) => fail(new Error(`relay exited (${exit.code ?? exit.signal}) before listening`)));
    });
  }
}
