import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS, checkedSettingsSchema, subsystemOf, type Settings } from './schema.js';
import { SERVE_FLAGS, configKey, envName } from './flags.js';

export const CONFIG_FILE = 'mailbeacon.json';

/** A configuration problem, already worded for the user (`[smtp] --max-recipients must be …`). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'mailbeacon');
}

/** Parses `serve` flags into camelCase settings; unknown flags and missing values are ConfigErrors. */
export function parseServeFlags(argv: string[]): Record<string, unknown> {
  const options = Object.fromEntries(
    SERVE_FLAGS.map((f) => [f.name, { type: f.type, multiple: f.multiple ?? false }] as const),
  );
  try {
    const { values } = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [configKey(k), v]));
  } catch (err) {
    throw new ConfigError([`[config] ${(err as Error).message}`]);
  }
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of SERVE_FLAGS) {
    const value = env[envName(flag.name)];
    if (value !== undefined && value !== '') out[configKey(flag.name)] = value;
  }
  return out;
}

function fromFile(dataDir: string): Record<string, unknown> {
  if (dataDir === ':memory:') return {};
  const file = join(dataDir, CONFIG_FILE);
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`[config] ${file}: ${(err as Error).message}`]);
  }
}

/**
 * The one place settings are merged and checked: defaults < `mailbeacon.json` in the data dir < `MB_*` < flags.
 * Every problem is reported at once, each prefixed with its subsystem.
 */
export function loadSettings(
  flags: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
  fallbackDataDir = defaultDataDir(env),
): Settings {
  const envValues = fromEnv(env);
  const dataDir = String(flags.dataDir ?? envValues.dataDir ?? fallbackDataDir);
  const merged = { ...DEFAULTS, ...fromFile(dataDir), ...envValues, ...flags, dataDir };
  const result = checkedSettingsSchema.safeParse(merged);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const flag = SERVE_FLAGS.find((f) => configKey(f.name) === key);
    const label = flag ? `--${flag.name}` : key;
    return `[${subsystemOf(key)}] ${label}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}
