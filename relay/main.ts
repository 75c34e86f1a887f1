#!/usr/bin/env node
// `duplex-relay`, the relay's command: `npm run relay -- …`, `node relay/main.ts
// …`, or the package's bin. Without a command it runs the relay (`serve`);
// cli/run.ts lists the others. Exit codes: 0 done (or a clean shutdown), 1
// failed, 2 bad flag, setting or argument.
//
// The bin is this TypeScript file itself, run by Node without a build step.
// Node refuses to strip types from files under node_modules (and a
// JavaScript launcher would not help, as the refusal is about the imported
// file), so the bin works from a checkout, directly or through the symlink
// of `npm link` or `npm install -g <checkout>`, not from a packed tarball.
import { text } from 'node:stream/consumers';
import { runCommandLine } from './cli/run.ts';

const exitCode = await runCommandLine(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => text(process.stdin),
});
process.exit(exitCode);
