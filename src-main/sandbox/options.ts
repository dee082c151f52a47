import type { HttpLimits } from '../net/http-limits.js';
import type { Logger, Clock } from '../logger.js';

export interface SandboxOptions {
  logger?: Logger;
  clock?: Clock;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  /** The built renderer; defaults to out/renderer beside the package. */
  uiDir?: string;
  /** Timeouts and connection cap of the UI/API/hub listener (src-main/net/http-limits.ts); tests shorten them. */
  httpLimits?: Partial<HttpLimits>;
  /** The same for the tracking listener, on whichever thread it runs. */
  trackingLimits?: Partial<HttpLimits>;
}

export interface SandboxAddresses {
  /** host:port */
  smtp: string;
  /** http://host:port */
  http: string;
  /** http://host:port of the tracking listener (links use `trackingUrl`, which may differ) */
  tracking: string;
  /** The public base of tracking links. */
  trackingUrl: string;
  /** host:port of the POP3 listener, when enabled (--pop3). */
  pop3?: string;
  /** host:port of the implicit TLS SMTP listener, when enabled (--smtps). */
  smtps?: string;
  /** host:port of each `--smtp-inbox` listener, by inbox. */
  inboxes?: Record<string, string>;
}

/** Every listener of a started sandbox (none before): what the guarded fetch must never call. */
export function listenersOf(a: SandboxAddresses | undefined): string[] {
  return a ? [a.http, a.tracking, a.smtp, a.pop3].filter((l): l is string => !!l) : [];
}
