import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the generated POP3 login lives, so a mail client set up once keeps working across restarts. */
export const POP3_LOGIN_FILE = 'pop3.json';

/** The user name of a generated login: anything works, one fixed name is easier to type into a client. */
const GENERATED_USER = 'mailbeacon';

export interface Pop3Login {
  user: string;
  pass: string;
  /** True when Mailbeacon made it up (shown by `serve` and in Settings); false for `--pop3-auth`. */
  generated: boolean;
}

function readLoginFile(file: string): { user: string; pass: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? `it is not valid JSON (${err.message})` : (err as Error).message;
    throw new Error(`[pop3] cannot read ${file}: ${why}; fix it, or delete it to generate a new POP3 login`);
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  if (typeof fields.user !== 'string' || !fields.user || typeof fields.pass !== 'string' || !fields.pass) {
    throw new Error(
      `[pop3] ${file} is not a JSON object with user and pass; fix it, or delete it to generate a new POP3 login`,
    );
  }
  return { user: fields.user, pass: fields.pass };
}

/**
 * The POP3 login: `--pop3-auth`, else one generated once into `<dataDir>/pop3.json` (mode 0600). With
 * `--data-dir :memory:` the generated login lives as long as the process.
 */
export function loadOrCreatePop3Login(
  dataDir: string,
  configured: { user: string; pass: string } | undefined,
): Pop3Login {
  if (configured) return { ...configured, generated: false };
  const fresh = () => ({ user: GENERATED_USER, pass: randomBytes(18).toString('base64url') });
  if (dataDir === ':memory:') return { ...fresh(), generated: true };
  const file = join(dataDir, POP3_LOGIN_FILE);
  if (existsSync(file)) return { ...readLoginFile(file), generated: true };
  const login = fresh();
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { ...login, generated: true };
}
