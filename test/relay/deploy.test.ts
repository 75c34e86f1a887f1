// The deployment files (deploy/) checked against the code, to keep them from
// rotting silently: the entry points and flags they use exist, the ports and
// paths agree with each other and with the relay's defaults, and the image
// holds everything the relay imports. The reverse proxy files are also run by
// the real nginx and Caddy in reverse-proxies.test.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { validate as lintDockerfile } from 'dockerfile-utils';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { defaultConfig, parseCommandLine } from '../../relay/config.ts';
import { RelayProcess } from '../helpers/relay-process.ts';
import { runInProcess } from './support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const deployFile = (name: string) => readFileSync(path.join(ROOT, 'deploy', name), 'utf8');
const defaults = defaultConfig();

let help: string;
beforeAll(async () => {
  help = (await runInProcess(['--help'])).stdout;
});

/** The command and flags of a `duplex-relay` command line must be ones --help lists. */
function expectKnownCommandLine(args: string[]): void {
  expect(help).toMatch(new RegExp(`^  ${args[0]} `, 'm'));
  for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(help).toContain(`  ${flag} `);
}

describe('systemd unit', () => {
  const unit = deployFile('duplex-relay.service');
  const service = Object.fromEntries(
    (/^\[Service\]$([^]*?)(?=^\[)/m.exec(unit)?.[1] ?? '')
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  test('starts the repository entry point with known flags, on its state directory', () => {
    const [node, entry, ...args] = (service.ExecStart as string).split(/\s+/);
    expect(node).toMatch(/^\/\S+\/node$/);
    const checkout = service.WorkingDirectory as string;
    expect(entry?.startsWith(`${checkout}/`)).toBe(true);
    const entryInRepo = path.join(ROOT, path.relative(checkout, entry as string));
    expect(readFileSync(entryInRepo, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expectKnownCommandLine(args);
    expect(args[args.indexOf('--data') + 1]).toBe(`/var/lib/${service.StateDirectory}`);
    expect(args[args.indexOf('--config') + 1]).toBe('/etc/duplex-relay/relay.json');
  });

  test('runs as a dedicated user, stops gracefully, restarts on failures but not on bad settings, hardened', () => {
    expect(service.User).toMatch(/^(?!root$)\S+$/);
    expect(service).toMatchObject({
      KillSignal: 'SIGTERM',
      Restart: 'on-failure',
      RestartPreventExitStatus: '2',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      CapabilityBoundingSet: '',
    });
    expect(Number(service.TimeoutStopSec)).toBeGreaterThan(defaults.limits.closeGraceMs / 1000);
  });

  const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  test.skipIf(!hasSystemdAnalyze)(
    `systemd-analyze: verify finds nothing to say, security rates the sandbox "OK" or better${hasSystemdAnalyze ? '' : ' [skipped: no systemd-analyze]'}`,
    () => {
      // The file as shipped, except for where Node is on this machine (verify checks that it exists).
      const dir = mkdtempSync(path.join(tmpdir(), 'duplex-unit-'));
      try {
        const file = path.join(dir, 'duplex-relay.service');
        writeFileSync(file, unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
        // Exit code 0 even for unknown or misspelt keys, which it reports: so no output either.
        const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', cwd: dir });
        expect(`${verify.stdout}${verify.stderr}`).toBe('');
        expect(verify.status).toBe(0);
        // Exposure on systemd's 0-100 scale (printed as 0.0-10.0); above 30 fails.
        // docs/operations.md lists what it still finds and why.
        const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=30', '--no-pager', file], {
          encoding: 'utf8',
          cwd: dir,
        });
        expect(security.stdout).toContain('Overall exposure level for duplex-relay.service');
        expect(security.status, security.stdout + security.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('the example config file it names is one the relay accepts', () => {
    const config = parseCommandLine(['--config', path.join(ROOT, 'deploy', 'relay.example.json')], {});
    expect(config).toMatchObject({ kind: 'run', config: { host: '127.0.0.1', port: defaults.port, trustProxy: true } });
  });
});

describe('Dockerfile', () => {
  // Instructions, continuation lines joined, comments dropped.
  const instructions = deployFile('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.trim().split(/\s+/);
      return { keyword, value: rest.join(' ') };
    });
  const finalStage = instructions.slice(instructions.findLastIndex((instruction) => instruction.keyword === 'FROM'));
  const all = (keyword: string) => finalStage.filter((instruction) => instruction.keyword === keyword).map((i) => i.value);
  const one = (keyword: string) => all(keyword).at(-1) ?? '';

  test('runs the relay from node:24-slim as a non-root user, with its data on a volume', () => {
    expect(finalStage[0]?.value).toBe('node:24-slim');
    expect(one('USER')).toMatch(/^(?!root$)\S+$/);
    expect(one('VOLUME')).toBe('/data');
    expect(one('ENV')).toMatch(/\bDUPLEX_DATA=\/data\b/);
    expect(all('RUN').join('\n')).toContain('npm ci --omit=dev');
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[];
    expect(entrypoint).toEqual(['node', 'relay/main.ts']);
    expect(existsSync(path.join(ROOT, entrypoint[1] as string))).toBe(true);
  });

  test('serves with known flags on every interface, on the port it exposes and health-checks', () => {
    const command = JSON.parse(one('CMD')) as string[];
    expectKnownCommandLine(command);
    expect(command.slice(command.indexOf('--host'), command.indexOf('--host') + 2)).toEqual(['--host', '0.0.0.0']);
    expect(Number(one('EXPOSE'))).toBe(defaults.port);
    expect(one('HEALTHCHECK')).toContain(`http://127.0.0.1:${defaults.port}/healthz`);
    expect(one('STOPSIGNAL')).toBe('SIGTERM');
  });

  // hadolint is neither in Debian 12 nor on npm; dockerfile-utils (the
  // linter of VS Code's Dockerfile support) checks syntax, arguments and
  // instructions that would be ignored (docs/operations.md, "Docker").
  test('dockerfile-utils finds no problem in it', () => {
    const problems = lintDockerfile(deployFile('Dockerfile')).map((problem) => `line ${problem.range.start.line + 1}: ${problem.message}`);
    expect(problems).toEqual([]);
  });

  // No container engine runs on the build machines, so the image is not
  // built; its health check command is run here against a relay process.
  test('its HEALTHCHECK command passes against a serving relay and fails once it is gone', async () => {
    const command = JSON.parse(/\bCMD (\[.*\])$/.exec(one('HEALTHCHECK'))?.[1] ?? '[]') as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const relay = await RelayProcess.start();
    // The image's relay listens on the default port; this one on a free one.
    const script = (command[2] as string).replace(`127.0.0.1:${defaults.port}/`, `127.0.0.1:${relay.port}/`);
    expect(script).toContain(`${relay.url}/healthz`);
    const check = () =>
      new Promise<number | null>((resolve) => {
        spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).once('exit', resolve);
      });
    try {
      expect(await check()).toBe(0);
      await relay.stop();
      expect(await check()).toBe(1);
    } finally {
      await relay.cleanup();
    }
  });

  test('copies every file the relay imports from the repository', () => {
    const copied = all('COPY')
      .filter((value) => !value.startsWith('--from'))
      .map((value) => value.split(/\s+/)[0] as string);
    for (const source of copied) expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    const inImage = (file: string) => copied.some((source) => path.relative(path.join(ROOT, source), file).split(path.sep)[0] !== '..');
    // Every relative import of every module in the image resolves inside the image.
    const pending = [path.join(ROOT, 'relay', 'main.ts')];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      expect(inImage(file), path.relative(ROOT, file)).toBe(true);
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        pending.push(path.resolve(path.dirname(file), specifier as string));
      }
    }
    expect(seen.size).toBeGreaterThan(readdirSync(path.join(ROOT, 'relay')).length);
  });
});

describe('reverse proxy examples', () => {
  const upstream = `127.0.0.1:${defaults.port}`;

  test('nginx forwards WebSocket upgrades, the client address, and outwaits the ping interval', () => {
    const nginx = deployFile('nginx.conf');
    expect(nginx).toContain(`server ${upstream};`);
    expect(nginx).not.toMatch(/proxy_pass http:\/\/(?!duplex_relay;)/);
    expect(nginx).toContain('proxy_http_version 1.1;');
    expect(nginx).toMatch(/map \$http_upgrade \$connection_upgrade \{\s*default upgrade;/);
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(nginx).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    const readTimeout = Number(/proxy_read_timeout (\d+)s;/.exec(nginx)?.[1]);
    expect(readTimeout).toBeGreaterThan(defaults.limits.pingIntervalMs / 1000);
    expect(nginx).toContain('--trust-proxy');
  });

  test('Caddy proxies to the relay', () => {
    const caddy = deployFile('Caddyfile');
    expect(caddy).toMatch(new RegExp(`reverse_proxy ${upstream.replaceAll('.', '\\.')}\\b`));
    expect(caddy).toContain('--trust-proxy');
  });
});
