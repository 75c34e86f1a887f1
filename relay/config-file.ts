// The relay's config file (--config FILE or DUPLEX_CONFIG): JSON with the
// settings of the command line, each under its flag's name in camelCase
// (`allowedOrigins`, `logLevel`, …; `rateLimits` and `trustProxy` are
// booleans; limits go in a `limits` object). zod checks the shape here, and an
// unknown key is refused with its name rather than silently ignored; the
// values themselves are checked by config.ts with the same code as flags and
// environment variables. Relative paths are taken from the file's directory,
// so that the file means the same wherever the relay is started from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LIMIT_NAMES, type LimitName } from './limits.ts';

const limitsSchema = z
  .strictObject(Object.fromEntries(LIMIT_NAMES.map((name) => [name, z.number()])) as Record<LimitName, z.ZodNumber>)
  .partial();

const configFileSchema = z
  .strictObject({
    host: z.string(),
    port: z.number(),
    data: z.string(),
    allowedOrigins: z.array(z.string()),
    registration: z.string(),
    logLevel: z.string(),
    rateLimits: z.boolean(),
    webRoot: z.string(),
    updatesDir: z.string(),
    trustProxy: z.boolean(),
    scryptCost: z.number(),
    tlsCert: z.string(),
    tlsKey: z.string(),
    metricsToken: z.string(),
    metricsPort: z.number(),
    metricsHost: z.string(),
    s3Bucket: z.string(),
    s3Region: z.string(),
    s3Endpoint: z.string(),
    redisUrl: z.string(),
    databaseUrl: z.string(),
    limits: limitsSchema,
  })
  .partial();

export type FileSettings = z.infer<typeof configFileSchema>;
export type FileKey = Exclude<keyof FileSettings, 'limits'>;

const PATH_KEYS = ['data', 'webRoot', 'updatesDir', 'tlsCert', 'tlsKey'] as const satisfies readonly FileKey[];

export type ConfigFileResult = { ok: true; settings: FileSettings } | { ok: false; message: string };

export function readConfigFile(file: string): ConfigFileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, message: `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${file}: not valid JSON: ${(error as Error).message}` };
  }
  const result = configFileSchema.safeParse(json);
  if (!result.success) return { ok: false, message: `${file}: ${describeProblem(result.error.issues[0])}` };
  const settings = result.data;
  for (const key of PATH_KEYS) {
    const value = settings[key];
    if (value !== undefined) settings[key] = path.resolve(path.dirname(path.resolve(file)), value);
  }
  return { ok: true, settings };
}

function describeProblem(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = at.length === 0 ? Object.keys(configFileSchema.shape) : LIMIT_NAMES;
    const keys = issue.keys.map((key) => `"${[...at, key].join('.')}"`).join(', ');
    return `unknown key ${keys}; known keys${at.length ? ` of ${at.join('.')}` : ''}: ${known.join(', ')}`;
  }
  return `${at.length ? at.join('.') : 'the file'}: ${issue.message}`;
}
