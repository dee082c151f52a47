import { z } from 'zod';
import { envName } from '../config/flags.js';
import { ConfigError, loadSettings } from '../config/load.js';
import type { SmtpTlsPrefs } from '../preload/channels.js';
import { loadSmtpTls } from '../net/tls.js';

export type { SmtpTlsPrefs };

/** As `serve` starts: plain SMTP, which every client's defaults deliver to. */
export const DEFAULT_SMTP_TLS_PREFS: SmtpTlsPrefs = {
  starttls: 'off',
  certFile: '',
  keyFile: '',
  requireTls: false,
  smtps: '',
};

export const smtpTlsPrefsSchema = z
  .object({
    starttls: z.enum(['off', 'self-signed', 'certificate']),
    certFile: z.string().max(4096),
    keyFile: z.string().max(4096),
    requireTls: z.boolean(),
    smtps: z.string().max(300),
  })
  .strict();

/** The shape the window sent, or null; what the choices mean is checked by `checkSmtpTlsPrefs`. */
export function parseSmtpTlsPrefs(value: unknown): SmtpTlsPrefs | null {
  const parsed = smtpTlsPrefsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The choices as `serve` flags (camelCase), the same ones `mailbeacon serve` takes. */
export function smtpTlsFlags(prefs: SmtpTlsPrefs): Record<string, unknown> {
  return {
    smtpTls: prefs.starttls === 'self-signed',
    ...(prefs.starttls === 'certificate' && { smtpTlsCert: prefs.certFile, smtpTlsKey: prefs.keyFile }),
    smtpRequireTls: prefs.requireTls,
    ...(prefs.smtps.trim() && { smtps: prefs.smtps.trim() }),
  };
}

/**
 * Checks the choices as a start would, through the one settings schema and the certificate loader, so a choice that
 * would keep the app from starting is refused when it is made, with the same `[smtp] …` message.
 */
export async function checkSmtpTlsPrefs(prefs: SmtpTlsPrefs): Promise<void> {
  const flags = smtpTlsFlags(prefs);
  try {
    loadSettings({ dataDir: ':memory:', ...flags }, {});
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.problems.join('\n'));
    throw err;
  }
  if (prefs.starttls === 'certificate')
    await loadSmtpTls({ dataDir: ':memory:', certFile: prefs.certFile, keyFile: prefs.keyFile });
}

/** The TLS settings a launch's `MB_*` variables give win over the remembered choices, as for the listeners. */
export function smtpTlsLaunchFlags(prefs: SmtpTlsPrefs, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const names = ['smtp-tls', 'smtp-tls-cert', 'smtp-tls-key', 'smtp-require-tls', 'smtps'];
  if (names.some((name) => env[envName(name)])) return {};
  return smtpTlsFlags(prefs);
}
