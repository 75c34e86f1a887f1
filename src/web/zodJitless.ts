// The engine validates frames with zod, which probes for eval with
// `new Function` when an object schema is defined, that is while the engine's
// modules load. This page's CSP forbids eval, and the refused probe shows up
// as a policy violation. Imported before anything that loads zod schemas;
// jitless, zod does not probe.
import { z } from 'zod';

z.config({ jitless: true });
