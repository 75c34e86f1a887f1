// The operator's command line (`duplex-relay user|sessions|registration …`):
// usage and exit codes (in this process, and through the real entry point),
// and each command as a child process against the database of a relay that
// is running meanwhile, whose clients see the effect.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RelayProcess } from '../helpers/relay-process.ts';
import { runCli, runInProcess } from './support/cli.ts';
import { postJson, register, TestClient, uniqueName } from './support/client.ts';

const SWEEP_MS = 200;

describe('usage', () => {
  test('--help of every command names its arguments and options, and exits 0', async () => {
    const [top, user, ...commands] = await Promise.all(
      [
        ['--help'],
        ['user', '--help'],
        ['serve', '--help'],
        ['user', 'create', '--help'],
        ['user', 'reset-password', '--help'],
        ['sessions', 'list', '--help'],
        ['sessions', 'revoke', '--help'],
        ['registration', 'open', '--help'],
        ['registration', 'close', '--help'],
        ['registration', 'status', '--help'],
        ['backup', '--help'],
      ].map((args) => runInProcess(args)),
    );
    for (const result of [top, user, ...commands]) expect(result?.code).toBe(0);
    for (const command of ['serve', 'user create USERNAME', 'user reset-password USERNAME', 'user list', 'user disable USERNAME',
      'user enable USERNAME', 'user delete USERNAME', 'sessions list [USERNAME]',
      'sessions revoke [ID]', 'registration open', 'registration close', 'registration status', 'backup FILE',
      'updates publish DIST_DIR', '--updates-dir DIR']) {
      expect(top?.stdout).toContain(command);
    }
    expect(user?.stdout).toContain('user reset-password USERNAME');
    const [serve, create, reset, list, revoke, , , status, backup] = commands.map((result) => result?.stdout ?? '');
    expect(serve).toBe(top?.stdout);
    expect(create).toMatch(/Usage: duplex-relay user create USERNAME \[options\][^]*--display-name NAME[^]*--password-stdin[^]*--data DIR/);
    expect(reset).toMatch(/--password-stdin[^]*--config FILE/);
    expect(list).toContain('Usage: duplex-relay sessions list [USERNAME] [options]');
    expect(revoke).toMatch(/--user USERNAME[^]*--all/);
    expect(status).toContain('--registration open|closed');
    expect(backup).toContain('Usage: duplex-relay backup FILE [options]');
  });

  test('bad usage exits 2 with a message; a missing database exits 1', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'duplex-cli-empty-'));
    try {
      const data = ['--data', dataDir];
      const cases: [string[], RegExp, string?][] = [
        [['bogus'], /unknown command "bogus"; the commands are serve, user, sessions, registration, backup/],
        [['user'], /user: expected a sub-command: user create, user reset-password/],
        [['user', 'remove', 'x'], /"remove" is not one of its sub-commands/],
        [['user', 'create', ...data], /user create: missing USERNAME/],
        [['user', 'create', 'Not Valid', ...data], /username: must be/],
        [['user', 'create', 'alice', 'extra', ...data], /unexpected argument "extra"/],
        [['user', 'create', 'alice', '--password-stdin', ...data], /stdin held no password/, ''],
        [['user', 'create', 'alice', '--password-stdin', ...data], /password: must be at least 8/, 'short\n'],
        [['sessions', 'revoke', ...data], /exactly one of ID, --user USERNAME or --all/],
        [['sessions', 'revoke', 'abc', ...data], /"abc" is not a session ID/],
        [['sessions', 'revoke', '0123456789', '--all', ...data], /exactly one of/],
        [['backup', ...data], /backup: missing FILE/],
        [['registration', 'open', '--port', '1', ...data], /Unknown option '--port'/],
        [['registration', 'open', '--config', path.join(dataDir, 'missing.json')], /cannot read config file .*missing\.json: ENOENT/],
      ];
      const results = await Promise.all(cases.map(([args, , input]) => runInProcess(args, { input })));
      results.forEach((result, i) => {
        const [args, message] = cases[i] as [string[], RegExp];
        expect({ args, code: result.code }).toEqual({ args, code: 2 });
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(/^duplex relay: .+\nRun with --help/);
      });

      const missing = await runInProcess(['sessions', 'list', ...data]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no database at .*relay\.db: check --data/);

      // The entry point passes stdout, stderr and the exit code through.
      const [help, usage, failure] = await Promise.all([
        runCli(['user', 'create', '--help']),
        runCli(['user', 'create']),
        runCli(['backup', 'copy.db', ...data]),
      ]);
      expect(help).toMatchObject({ code: 0, stdout: (await runInProcess(['user', 'create', '--help'])).stdout, stderr: '' });
      expect(usage).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/missing USERNAME/) });
      expect(failure).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/no database at/) });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('beside a running relay', () => {
  let relay: RelayProcess;
  // The commands as child processes, the way an operator runs them; the
  // checks of their failures in this process (still beside the relay's).
  const cli = (args: string[], input?: string) => runCli([...args, '--data', relay.dataDir], { input });
  const quick = (args: string[]) => runInProcess([...args, '--data', relay.dataDir]);
  const login = (username: string, password: string) => postJson(relay.url, '/api/login', { username, password });

  beforeAll(async () => {
    relay = await RelayProcess.start({ args: ['--limit', `tokenRecheckIntervalMs=${SWEEP_MS}`] });
  });
  afterAll(async () => {
    await relay.cleanup();
  });

  /** Waits for the close of a socket whose token was revoked by a command; returns how long it took. */
  async function closedWithin(client: TestClient, since: number): Promise<number> {
    expect((await client.closed).code).toBe(4001);
    return Date.now() - since;
  }

  test('user create: the password from stdin or generated and printed once; the user signs in', async () => {
    const withStdin = uniqueName('op');
    const created = await cli(['user', 'create', withStdin, '--display-name', 'Operator Made', '--password-stdin'], 'from stdin 123\n');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^created user ${withStdin} \\(display name "Operator Made", id \\S+\\)\\n$`));
    const signedIn = await login(withStdin, 'from stdin 123');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.displayName).toBe('Operator Made');

    const generated = uniqueName('op');
    const made = await cli(['user', 'create', generated]);
    expect(made.code).toBe(0);
    const password = /^password: (\S+) {2}\(generated; shown only this once\)$/m.exec(made.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await login(generated, password as string)).status).toBe(200);

    const again = await quick(['user', 'create', generated]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`user "${generated}" already exists`);
  });

  test('sessions list shows sign-ins; revoking one closes its sockets with 4001 within the sweep, and no other', async () => {
    const alice = await register(relay.url);
    const second = await login(alice.user.username, 'correct horse battery');
    const [revoked] = await TestClient.signIn(relay.wsUrl, alice.token);
    const [kept] = await TestClient.signIn(relay.wsUrl, second.body.token);

    const listed = await cli(['sessions', 'list', alice.user.username]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SESSION +USER +SIGNED IN +LAST USED +ADDRESS +DEVICE$/);
    expect(lines).toHaveLength(3);
    const ids = lines.slice(1).map((line) => line.split(/ +/));
    for (const [id, username, signedIn, lastUsed] of ids) {
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      expect(username).toBe(alice.user.username);
      expect(Number.isNaN(Date.parse(signedIn as string))).toBe(false);
      expect(Date.parse(lastUsed as string)).toBeGreaterThanOrEqual(Date.parse(signedIn as string));
    }
    const everyone = await quick(['sessions', 'list']);
    expect(everyone.stdout).toContain(ids[0]?.[0]);

    // Oldest first: the registration's token is the first line.
    const since = Date.now();
    const revoke = await cli(['sessions', 'revoke', (ids[0]?.[0] as string).slice(0, 10)]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(new RegExp(`^revoked session ${ids[0]?.[0]} of ${alice.user.username}\\n`));
    expect(await closedWithin(revoked, since)).toBeLessThan(5_000);
    expect((await kept.request({ t: 'ping' })).t).toBe('pong');
    expect((await quick(['sessions', 'revoke', ids[0]?.[0] as string])).code).toBe(1);
    await kept.close();
  });

  test('sessions revoke --user and --all', async () => {
    const [bob, carol] = await Promise.all([register(relay.url), register(relay.url)]);
    await login(bob.user.username, 'correct horse battery');
    const [bobSocket] = await TestClient.signIn(relay.wsUrl, bob.token);
    const [carolSocket] = await TestClient.signIn(relay.wsUrl, carol.token);

    const byUser = await cli(['sessions', 'revoke', '--user', bob.user.username]);
    expect(byUser.stdout).toContain(`revoked 2 session(s) of ${bob.user.username}`);
    // The command knows only its own configuration of the sweep, not the relay's.
    expect(byUser.stdout).toMatch(/a running relay closes their connections within \d+ s/);
    expect((await bobSocket.closed).code).toBe(4001);
    expect((await carolSocket.request({ t: 'ping' })).t).toBe('pong');
    expect((await quick(['sessions', 'revoke', '--user', 'nobody_here'])).stderr).toContain('no user "nobody_here"');

    const all = await cli(['sessions', 'revoke', '--all']);
    expect(all.stdout).toMatch(/^revoked \d+ session\(s\)\n/);
    expect((await carolSocket.closed).code).toBe(4001);
    expect((await quick(['sessions', 'list'])).stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  test('user reset-password sets the new password and signs the user out everywhere', async () => {
    const dave = await register(relay.url);
    const [socket] = await TestClient.signIn(relay.wsUrl, dave.token);
    const reset = await cli(['user', 'reset-password', dave.user.username, '--password-stdin'], 'a brand new password');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`new password set for ${dave.user.username}; 1 session(s) revoked`);
    expect(reset.stdout).not.toContain('password:');
    expect((await socket.closed).code).toBe(4001);
    expect((await login(dave.user.username, 'correct horse battery')).status).toBe(401);
    expect((await login(dave.user.username, 'a brand new password')).status).toBe(200);

    const generated = await quick(['user', 'reset-password', dave.user.username]);
    const password = /^password: (\S+) /m.exec(generated.stdout)?.[1] as string;
    expect((await login(dave.user.username, password)).status).toBe(200);
    expect((await quick(['user', 'reset-password', 'nobody_here'])).code).toBe(1);
  });

  test('user list, disable and enable: a disabled account is signed out everywhere and cannot sign in until enabled', async () => {
    const erin = await register(relay.url, uniqueName('erin'), 'Erin Example');
    const [socket] = await TestClient.signIn(relay.wsUrl, erin.token);
    const listed = await quick(['user', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USER +CREATED +LAST SEEN +SESSIONS +STATUS +DISPLAY NAME$/);
    expect(lines.find((line) => line.startsWith(erin.user.username))).toMatch(/ 1 +active +Erin Example$/);

    const since = Date.now();
    const disabled = await cli(['user', 'disable', erin.user.username]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain(`disabled ${erin.user.username}; 1 session(s) revoked`);
    expect(await closedWithin(socket, since)).toBeLessThan(5_000);
    const refused = await login(erin.user.username, 'correct horse battery');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_disabled');
    // A wrong password is told nothing more than for anyone else.
    expect((await login(erin.user.username, 'not the password')).status).toBe(401);
    expect((await quick(['user', 'list'])).stdout).toMatch(new RegExp(`${erin.user.username} .* 0 +disabled +Erin Example`));

    expect((await quick(['user', 'enable', erin.user.username])).stdout).toBe(`enabled ${erin.user.username}\n`);
    const again = await login(erin.user.username, 'correct horse battery');
    expect(again.status).toBe(200);
    expect(again.body.user).toEqual(erin.user);
    expect((await quick(['user', 'disable', 'nobody_here'])).code).toBe(1);
  });

  test('registration close and open take effect at once in the running relay, and status says why', async () => {
    const attempt = () => postJson(relay.url, '/api/register', { username: uniqueName(), password: 'long enough' });
    expect((await quick(['registration', 'status'])).stdout).toBe('open (configured; nothing stored)\n');

    expect((await cli(['registration', 'close'])).stdout).toBe('registration closed\n');
    const refused = await attempt();
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('registration_closed');
    expect((await quick(['registration', 'status'])).stdout).toMatch(/^closed \(stored \S+; overrides the configured open\)\n$/);
    // The operator still creates accounts.
    expect((await quick(['user', 'create', uniqueName('op')])).code).toBe(0);

    expect((await cli(['registration', 'open'])).stdout).toBe('registration open\n');
    expect((await attempt()).status).toBe(201);
    const status = await cli(['registration', 'status', '--registration', 'closed']);
    expect(status.stdout).toMatch(/^open \(stored \S+; overrides the configured closed\)\n$/);
  });
});
