// Entry point of the load generator process. It runs apart from the
// benchmark's coordinator and from the servers so that its CPU shows up in
// neither server's figures; the coordinator drives it phase by phase over the
// IPC channel (see ipc.ts) and reads server memory between phases.
import { setupTarget, type BenchClient } from './dialects.ts';
import type { Command, ConnectResult, Reply, Request, SetupResult } from './ipc.ts';
import { LoadEngine } from './load-engine.ts';

let engine: LoadEngine | undefined;
let clients: BenchClient[] = [];
let urls: string[] = [];

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'setup': {
      // The benchmark must never send load anywhere but this machine.
      for (const url of command.urls) {
        if (new URL(url).hostname !== '127.0.0.1') throw new Error(`refusing non-loopback target ${url}`);
      }
      urls = command.urls;
      engine = new LoadEngine(command.bodyBytes, command.serverPids);
      const outcome = await setupTarget(command.target, urls[0] ?? '', command.clients, command.members);
      clients = outcome.clients;
      const fanouts = clients.reduce((sum, client) => sum + client.fanout, 0);
      const result: SetupResult = {
        groups: new Set(clients.map((client) => client.conv)).size,
        meanFanout: fanouts / clients.length,
        registerMs: outcome.registerMs,
        createMs: outcome.createMs,
      };
      return result;
    }
    case 'connect':
      return { connectMs: await requireEngine().connect(urls, clients) } satisfies ConnectResult;
    case 'probe':
      return requireEngine().probe(command.seconds, command.window);
    case 'rate':
      return requireEngine().rate(command.sendsPerSecond, command.warmupSeconds, command.seconds, command.accumulate);
    case 'disconnect':
      await requireEngine().disconnect();
      return null;
  }
}

function requireEngine(): LoadEngine {
  if (!engine) throw new Error('"setup" must come first');
  return engine;
}

process.on('message', (request: Request) => {
  handle(request.command).then(
    (result) => process.send?.({ id: request.id, ok: true, result } satisfies Reply),
    (error: unknown) =>
      process.send?.({
        id: request.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies Reply),
  );
});

// Without its coordinator the generator has no purpose: exit rather than linger.
process.on('disconnect', () => process.exit(0));
