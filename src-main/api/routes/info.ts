import { statSync } from 'node:fs';
import type { Settings } from '../../config/schema.js';
import type { EventBus } from '../../events/bus.js';
import type { Clock } from '../../logger.js';
import type { Ingest } from '../../ingest/ingest.js';
import type { Pop3Login } from '../../pop3/login.js';
import type { MessageStore } from '../../store/contract.js';
import { VERSION } from '../../version.js';
import { ALL_INBOXES, type InboxScope } from '../../model/inbox.js';
import type { AppInformation } from '../../wire/types.js';

/** What `/api/v1/info`, `/api/v1/webui` and `/api/v1/settings` describe; getters read the running sandbox. */
export interface InfoDeps {
  settings: Settings;
  store: MessageStore;
  ingest: Ingest;
  clock: Clock;
  /** The database file, or `:memory:`. */
  databasePath: string;
  startedAt: () => number;
  /** Mails deleted one by one since start (not "delete all"). */
  deleted: () => number;
  smtpRejected: () => number;
  /** The listeners; undefined until the sandbox has started them all. */
  addresses: () => InfoAddresses | undefined;
  /** The POP3 login, when --pop3 runs. */
  pop3Login?: () => Pop3Login | undefined;
  keyFingerprint: string;
}

export interface InfoAddresses {
  smtp: string;
  http: string;
  tracking: string;
  trackingUrl: string;
  pop3?: string;
  smtps?: string;
}

/** Mailpit's application information, with our listeners, tracking URL and key fingerprint. */
export async function appInformation(
  deps: InfoDeps,
  scope: InboxScope = ALL_INBOXES,
): Promise<AppInformation> {
  const { total, unread } = await deps.store.countIn(scope);
  const tags = await deps.store.tagCountsIn(scope);
  const stats = deps.ingest.stats;
  let size = 0;
  if (deps.databasePath !== ':memory:') {
    try {
      size = statSync(deps.databasePath).size;
    } catch {
      size = 0;
    }
  }
  const addresses = deps.addresses();
  if (!addresses) throw new Error('the sandbox is not started');
  const pop3Login = deps.pop3Login?.();
  return {
    Version: VERSION,
    LatestVersion: VERSION,
    Database: deps.databasePath,
    DatabaseSize: size,
    Messages: total,
    Unread: unread,
    Tags: tags,
    RuntimeStats: {
      Uptime: Math.round((deps.clock.now() - deps.startedAt()) / 1000),
      Memory: process.memoryUsage().rss,
      MessagesDeleted: deps.deleted(),
      SMTPAccepted: stats.accepted,
      SMTPAcceptedSize: stats.acceptedBytes,
      SMTPRejected: deps.smtpRejected(),
      SMTPIgnored: 0,
    },
    Listeners: { smtp: addresses.smtp, http: addresses.http, tracking: addresses.tracking },
    TrackingURL: addresses.trackingUrl,
    KeyFingerprint: deps.keyFingerprint,
    ...(addresses.pop3 &&
      pop3Login && {
        POP3: {
          Address: addresses.pop3,
          User: pop3Login.user,
          ...(pop3Login.generated && { Password: pop3Login.pass }),
        },
      }),
  };
}

/** Mailpit's web UI configuration (relay status). */
export function webuiConfig(s: Settings): Record<string, unknown> {
  return {
    Label: '',
    MessageRelay: {
      Enabled: !!s.relay,
      SMTPServer: s.relay ? new URL(s.relay).host : '',
      AllowedRecipients: s.relayAllow?.source ?? '',
      BlockedRecipients: s.relayBlock?.source ?? '',
      OverrideFrom: s.relayFrom ?? '',
      ReturnPath: '',
      PreserveMessageIDs: true,
    },
    SpamAssassin: !!s.spamassassin,
    ChaosEnabled: s.enableChaos,
    DuplicatesIgnored: false,
    HideDeleteAllButton: false,
  };
}

/** The effective configuration with secrets masked, and the listeners' addresses. */
export function maskedSettings(
  settings: Settings,
  addresses: InfoAddresses | undefined,
): Record<string, unknown> {
  const secret = /auth|key|secret/i;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (secret.test(key) && !/^hubAnonymous$/.test(key))
      out[key] = Array.isArray(value) ? value.map(() => '••••') : '••••';
    else if (value instanceof RegExp) out[key] = value.source;
    else if (key === 'relay' && typeof value === 'string') out[key] = value.replace(/\/\/[^@/]*@/, '//••••@');
    else if (Array.isArray(value) && value.some((v) => typeof v === 'object'))
      out[key] = JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)));
    else out[key] = value;
  }
  out.addresses = addresses;
  return out;
}

/** Counts mails deleted one by one (not "delete all") from now on, for the info's `MessagesDeleted`. */
export function countDeletions(bus: EventBus): () => number {
  let deleted = 0;
  bus.on('message.deleted', (ids) => {
    if (ids !== 'all') deleted += ids.length;
  });
  return () => deleted;
}
