import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { envName } from '../config/flags.js';
import {
  DEFAULT_NOTIFICATION_PREFS,
  notificationPrefsSchema,
  type NotificationPrefs,
} from './notifications.js';
import { formatAddress, LISTENER_NAMES, type Listeners, type ListenerName } from './ports.js';
import {
  DEFAULT_SMTP_TLS_PREFS,
  smtpTlsLaunchFlags,
  smtpTlsPrefsSchema,
  type SmtpTlsPrefs,
} from './smtp-tls-prefs.js';

/**
 * Choices made in the desktop app, kept in userData next to the data `mailbeacon serve --data-dir` shares. They are
 * the app's own (notifications, ports picked in the port-conflict dialog), so they live apart from `mailbeacon.json`,
 * which the user writes.
 */
export const PREFERENCES_FILE = 'desktop-preferences.json';

const preferencesSchema = z.object({
  notifications: notificationPrefsSchema.default(DEFAULT_NOTIFICATION_PREFS),
  /** `ADDR:PORT` per listener, as chosen in the port-conflict dialog. */
  listeners: z
    .object({ smtp: z.string().optional(), http: z.string().optional(), tracking: z.string().optional() })
    .default({}),
  /** STARTTLS, SMTPS and "require TLS", as chosen in Settings; used from the next start. */
  smtpTls: smtpTlsPrefsSchema.default(DEFAULT_SMTP_TLS_PREFS),
});

export type DesktopPreferences = z.infer<typeof preferencesSchema>;

export class PreferencesFile {
  private current: DesktopPreferences;

  constructor(private readonly file: string) {
    this.current = read(file);
  }

  get notifications(): NotificationPrefs {
    return { ...this.current.notifications };
  }

  setNotifications(prefs: NotificationPrefs): NotificationPrefs {
    this.write({ ...this.current, notifications: { ...prefs } });
    return this.notifications;
  }

  get smtpTls(): SmtpTlsPrefs {
    return { ...this.current.smtpTls };
  }

  /** Checked by the caller (`checkSmtpTlsPrefs`) before it is saved. */
  setSmtpTls(prefs: SmtpTlsPrefs): SmtpTlsPrefs {
    this.write({ ...this.current, smtpTls: { ...prefs } });
    return this.smtpTls;
  }

  /** The remembered TLS choices as `loadSettings` flags; `MB_SMTP_TLS`-style variables of this launch win. */
  smtpTlsFlags(env: NodeJS.ProcessEnv): Record<string, unknown> {
    return smtpTlsLaunchFlags(this.current.smtpTls, env);
  }

  rememberListeners(listeners: Listeners): void {
    const chosen = Object.fromEntries(LISTENER_NAMES.map((name) => [name, formatAddress(listeners[name])]));
    this.write({ ...this.current, listeners: chosen });
  }

  /**
   * Remembered listeners as `loadSettings` flags. An `MB_SMTP`-style variable set for this launch says what the
   * user wants now, so it wins over a port remembered from an earlier conflict.
   */
  listenerFlags(env: NodeJS.ProcessEnv): Partial<Record<ListenerName, string>> {
    const flags: Partial<Record<ListenerName, string>> = {};
    for (const name of LISTENER_NAMES) {
      const remembered = this.current.listeners[name];
      if (remembered && !env[envName(name)]) flags[name] = remembered;
    }
    return flags;
  }

  private write(next: DesktopPreferences): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2));
    renameSync(tmp, this.file);
    this.current = next;
  }
}

/** Missing or unreadable preferences are the defaults: losing a preference must never keep the app from starting. */
function read(file: string): DesktopPreferences {
  try {
    const parsed = preferencesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the defaults
  }
  return preferencesSchema.parse({});
}
