import { z } from 'zod';
import { parseQuery } from '../search/query.js';
import { AddressSet } from '../net/addresses.js';
import { SIMULATE_PROFILES } from '../model/tracking.js';
import { inboxAuth, inboxRules, smtpInboxes } from './inboxes.js';

/** `host:port` as given by a user; port 0 means any free port. IPv6 hosts go in brackets: `[::1]:1025`. */
export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULTS = {
  smtp: '127.0.0.1:1025',
  http: '127.0.0.1:8025',
  tracking: '127.0.0.1:8026',
  maxMessages: '10000',
  maxMessageSize: '50MB',
  maxRecipients: '100',
  maxConnections: '100',
  smtpCommandTimeout: '60s',
  smtpDataTimeout: '10m',
  maxEvents: '1000000',
  tokenMode: 'sealed',
  hubHeartbeat: '30',
  hubHistory: '10000',
  relayRetries: '10s,1m,5m,30m,2h,8h',
  webhookEvents: 'open,click,unsub,message.received,relay.*',
  webhookRetries: '5s,5m,30m,2h,5h,10h',
} as const;

const listen = z.string().transform((value, ctx): ListenAddress => {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not ADDR:PORT (for example 127.0.0.1:1025)` });
    return z.NEVER;
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
});

const count = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a whole number ≥ 0, not "${value}"` });
      return z.NEVER;
    }
    return n;
  });

const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
const byteSize = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?B?)$/i.exec(String(value).trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (for example 50MB)` });
    return z.NEVER;
  }
  return Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]!);
});

const credentials = z.string().transform((value, ctx) => {
  const i = value.indexOf(':');
  if (i <= 0) {
    ctx.addIssue({ code: 'custom', message: `credentials must be USER:PASS` });
    return z.NEVER;
  }
  return { user: value.slice(0, i), pass: value.slice(i + 1) };
});

const regex = z.string().transform((value, ctx) => {
  try {
    return new RegExp(value, 'i');
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `bad regular expression: ${(err as Error).message}` });
    return z.NEVER;
  }
});

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `10s,1m,5m` → milliseconds */
export const schedule = z.string().transform((value, ctx) => {
  const out: number[] = [];
  for (const part of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(part);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a duration (for example 10s, 5m, 2h)` });
      return z.NEVER;
    }
    out.push(Number(m[1]) * DURATION_UNITS[m[2]]!);
  }
  return out;
});

/** One duration, `90s`, `10m` (a bare number is seconds) → milliseconds, at least 1 ms. */
const duration = (what: string) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(String(value).trim());
    const ms = m ? Math.round(Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!) : 0;
    if (!m || ms < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be a duration such as 60s or 10m, not "${value}"`,
      });
      return z.NEVER;
    }
    return ms;
  });

const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : v.split(','))
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

const url = (what: string, schemes: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `${what} must be a ${schemes.join(' or ')} URL` },
  );

const trackingRule = z
  .object({
    sender: regex.optional(),
    recipient: regex.optional(),
    subject: regex.optional(),
  })
  .refine((r) => r.sender || r.recipient || r.subject, {
    message: 'a rule needs sender, recipient or subject',
  });

/** `--max-age`: a duration such as 7d or 12h, in milliseconds. */
export const age = z.string().transform((value, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : NaN;
  if (!m || !(ms > 0)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an age (for example 7d or 12h)` });
    return z.NEVER;
  }
  return ms;
});

/** `--tag NAME=QUERY`, repeatable: each a tag and the search query whose matches get it on ingest. */
const tagRules = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const rules: { tag: string; query: string }[] = [];
  for (const rule of Array.isArray(value) ? value : [value]) {
    const i = rule.indexOf('=');
    const tag = i > 0 ? rule.slice(0, i).trim() : '';
    const query = i > 0 ? rule.slice(i + 1).trim() : '';
    if (!tag || !query) {
      ctx.addIssue({
        code: 'custom',
        message: `"${rule}" is not TAG=QUERY (for example billing=subject:invoice)`,
      });
      continue;
    }
    try {
      if (!parseQuery(query).length) throw new Error('the query is empty');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `"${rule}": ${(err as Error).message}` });
      continue;
    }
    rules.push({ tag, query });
  }
  return rules;
});

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => (typeof v === 'boolean' ? v : ['true', '1', 'yes'].includes(v)));

/**
 * The flat settings (flag names in camelCase) as merged from defaults, `mailbeacon.json`, `MB_*` and flags,
 * each section's problems reported under the subsystem it belongs to.
 */
export const settingsSchema = z.object({
  // listeners
  smtp: listen,
  http: listen,
  tracking: listen,
  trackingUrl: url('--tracking-url', ['http:', 'https:']).optional(),
  uiAuth: credentials.optional(),
  mcpWrite: bool.default(false),
  pop3: listen.optional(),
  pop3Auth: credentials.optional(),
  spamassassin: listen.optional(),
  allowInternalHttpRequests: bool.default(false),
  allowedHosts: list
    .refine((hosts) => hosts.every((h) => /^(\[[0-9a-f:.]+\]|[^:[\]/\s]+)(:\d{1,5})?$/i.test(h)), {
      message: 'each entry is a host name or host:port (for example mb.test or mb.test:8025)',
    })
    .default([]),
  // storage
  dataDir: z.string().min(1),
  maxMessages: count('--max-messages'),
  maxAge: age.optional(),
  tag: tagRules.default([]),
  tagsPlusAddresses: bool.default(false),
  tagsUsername: bool.default(false),
  maxEvents: count('--max-events'),
  // smtp
  smtpAuth: credentials.optional(),
  inbox: inboxRules.default([]),
  smtpInbox: smtpInboxes.default([]),
  inboxAuth: inboxAuth.default([]),
  smtpTlsCert: z.string().optional(),
  smtpTlsKey: z.string().optional(),
  smtpTls: bool.default(false),
  smtpRequireTls: bool.default(false),
  smtps: listen.optional(),
  maxMessageSize: byteSize,
  maxRecipients: count('--max-recipients'),
  // smtp-server reads 0 as "no limit"; a sandbox always keeps one, so many idle clients cannot exhaust it.
  maxConnections: count('--max-connections').refine((n) => n >= 1, '--max-connections must be at least 1'),
  smtpCommandTimeout: duration('--smtp-command-timeout'),
  smtpDataTimeout: duration('--smtp-data-timeout'),
  ingestThreads: count('--ingest-threads').optional(),
  simpleMailReader: bool.default(true),
  enableChaos: bool.default(false),
  // tracking
  noTrack: bool.default(false),
  trackText: bool.default(false),
  trackingThread: bool.optional(),
  tokenMode: z.enum(['sealed', 'signed', 'plain']),
  trackingKey: list.default([]),
  redirectAllow: list.default([]),
  trustedProxies: list.default([]).superRefine((entries, ctx) => {
    try {
      new AddressSet(entries);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  simulate: list.default([]).superRefine((entries, ctx) => {
    for (const name of entries) {
      if (!(SIMULATE_PROFILES as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name}" is not a simulate profile (known: ${SIMULATE_PROFILES.join(', ')})`,
        });
      }
    }
  }),
  trackingRules: z.array(trackingRule).default([]),
  // hub
  hubJwtKey: z.string().min(1).optional(),
  hubPublisherKey: z.string().min(1).optional(),
  hubSubscriberKey: z.string().min(1).optional(),
  hubAnonymous: bool.default(false),
  hubCorsOrigins: list.default([]),
  hubHeartbeat: count('--hub-heartbeat'),
  hubHistory: count('--hub-history'),
  // relay
  relay: url('--relay', ['smtp:', 'smtps:']).optional(),
  relayAll: bool.default(false),
  relayMatching: regex.optional(),
  relayAllow: regex.optional(),
  relayBlock: regex.optional(),
  relayTo: z.string().email().optional(),
  relayFrom: z.string().email().optional(),
  relayOriginal: bool.default(false),
  relayRetries: schedule,
  relayTlsInsecure: bool.default(false),
  relayDkimDomain: z.string().optional(),
  relayDkimSelector: z.string().optional(),
  relayDkimKey: z.string().optional(),
  // webhooks
  webhook: list.default([]),
  webhookSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_<base64>')
    .optional(),
  webhookEvents: list,
  webhookRetries: schedule,
  // output
  json: bool.default(false),
  quiet: bool.default(false),
});

export type Settings = z.infer<typeof settingsSchema>;

/** The schema with the rules that tie several settings together; `loadSettings` checks with this one. */
export const checkedSettingsSchema = settingsSchema.superRefine(smtpTlsRules);

/** The SMTP TLS flags that only make sense together. */
function smtpTlsRules(
  s: { smtpTlsCert?: string; smtpTlsKey?: string; smtpTls: boolean; smtpRequireTls: boolean },
  ctx: z.RefinementCtx,
): void {
  if (!!s.smtpTlsCert !== !!s.smtpTlsKey) {
    const missing = s.smtpTlsCert ? 'smtpTlsKey' : 'smtpTlsCert';
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: 'is missing: --smtp-tls-cert and --smtp-tls-key go together',
    });
  }
  if (s.smtpRequireTls && !s.smtpTls && !s.smtpTlsCert) {
    ctx.addIssue({
      code: 'custom',
      path: ['smtpRequireTls'],
      message: 'needs STARTTLS; give --smtp-tls or a certificate (--smtp-tls-cert and --smtp-tls-key)',
    });
  }
}

/** Which subsystem a setting belongs to, for `[smtp] …`-style error messages. */
export function subsystemOf(key: string): string {
  if (/^(smtp|maxMessageSize|maxRecipients|maxConnections|ingestThreads|simpleMailReader)/.test(key))
    return 'smtp';
  if (/^(http|uiAuth|allowedHosts)$/.test(key)) return 'http';
  if (/^(tracking|noTrack|trackText|tokenMode|redirectAllow|trustedProxies|simulate)/.test(key))
    return 'tracking';
  if (/^(dataDir|maxMessages|maxAge|maxEvents)$/.test(key)) return 'db';
  if (/^tag/.test(key)) return 'tags';
  if (/^inbox/.test(key)) return 'inboxes';
  if (key === 'enableChaos') return 'smtp';
  if (key.startsWith('hub')) return 'hub';
  if (key.startsWith('relay')) return 'relay';
  if (key.startsWith('pop3')) return 'pop3';
  if (key === 'spamassassin' || key === 'allowInternalHttpRequests') return 'checks';
  if (key.startsWith('webhook')) return 'webhooks';
  return 'config';
}
