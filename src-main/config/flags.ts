// Every setting a user can give on the command line. The same table drives argument parsing, `--help`,
// the `MB_*` environment variables and the keys of `mailbeacon.json`, so the four never disagree.

export interface FlagSpec {
  /** Long flag name without dashes, e.g. `smtp-auth`. Its env var is `MB_SMTP_AUTH`, its config key `smtpAuth`. */
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** Shown in `--help`. */
  help: string;
  /** Placeholder shown in `--help` for string flags. */
  arg?: string;
  /** The heading it is listed under in `--help` (src-main/cli/serve.ts orders them). */
  group:
    | 'smtp'
    | 'ui'
    | 'tracking'
    | 'relay'
    | 'webhooks'
    | 'checks'
    | 'pop3'
    | 'storage'
    | 'hub'
    | 'output'
    | 'tuning';
}

export const SERVE_FLAGS: FlagSpec[] = [
  {
    name: 'smtp',
    type: 'string',
    arg: 'ADDR:PORT',
    group: 'smtp',
    help: 'SMTP listener (default 127.0.0.1:1025; port 0 = any free port)',
  },
  {
    name: 'http',
    type: 'string',
    arg: 'ADDR:PORT',
    group: 'ui',
    help: 'UI, API and hub listener (default 127.0.0.1:8025)',
  },
  {
    name: 'tracking',
    type: 'string',
    arg: 'ADDR:PORT',
    group: 'tracking',
    help: 'tracking endpoints /o /c /u (default 127.0.0.1:8026)',
  },
  {
    name: 'tracking-url',
    type: 'string',
    arg: 'URL',
    group: 'tracking',
    help: 'public base of tracking links, e.g. a tunnel (default: the tracking listener)',
  },
  {
    name: 'allowed-hosts',
    type: 'string',
    multiple: true,
    arg: 'LIST',
    group: 'ui',
    help: 'host names the UI/API/hub (and a loopback tracking listener) answer besides loopback, e.g. mb.test or mb.test:8025 (others get 421)',
  },
  {
    name: 'ui-auth',
    type: 'string',
    arg: 'USER:PASS',
    group: 'ui',
    help: 'require HTTP basic auth for the UI, API and hub',
  },
  {
    name: 'mcp-write',
    type: 'boolean',
    group: 'ui',
    help: 'let MCP clients at /mcp change state: delete, release, simulate, click (default read-only)',
  },

  {
    name: 'pop3',
    type: 'string',
    arg: 'ADDR:PORT',
    group: 'pop3',
    help: 'serve the caught mails (as tracked) over POP3, e.g. to open them in Thunderbird (default: off)',
  },
  {
    name: 'pop3-auth',
    type: 'string',
    arg: 'USER:PASS',
    group: 'pop3',
    help: 'POP3 login (default: one generated into the data dir, shown at start and in Settings; required when --pop3 binds beyond loopback)',
  },
  {
    name: 'spamassassin',
    type: 'string',
    arg: 'HOST:PORT',
    group: 'checks',
    help: 'a running spamd for the spam score check, e.g. 127.0.0.1:783 (default: off)',
  },
  {
    name: 'allow-internal-http-requests',
    type: 'boolean',
    group: 'checks',
    help: 'let link check request loopback and private addresses, e.g. your app on localhost (default: off)',
  },

  {
    name: 'data-dir',
    type: 'string',
    arg: 'DIR',
    group: 'storage',
    help: 'data directory, or :memory: for a throw-away run (default ~/.local/share/mailbeacon)',
  },
  {
    name: 'max-messages',
    type: 'string',
    arg: 'N',
    group: 'storage',
    help: 'keep at most N mails, pruning the oldest (default 10000; 0 = unlimited)',
  },
  {
    name: 'max-age',
    type: 'string',
    arg: 'AGE',
    group: 'storage',
    help: 'delete mails older than AGE, e.g. 7d or 12h, in the background (default: keep them)',
  },
  {
    name: 'tag',
    type: 'string',
    multiple: true,
    arg: 'TAG=QUERY',
    group: 'storage',
    help: "tag new mails matching a search query, e.g. 'billing=subject:invoice' (repeatable)",
  },
  {
    name: 'tags-plus-addresses',
    type: 'boolean',
    group: 'storage',
    help: 'tag mails sent to user+TAG@domain with TAG',
  },
  {
    name: 'tags-username',
    type: 'boolean',
    group: 'storage',
    help: 'tag mails with the SMTP AUTH user name',
  },
  {
    name: 'max-events',
    type: 'string',
    arg: 'N',
    group: 'storage',
    help: 'keep at most N tracking events, pruning the oldest (default 1000000; 0 = unlimited)',
  },

  {
    name: 'inbox',
    type: 'string',
    multiple: true,
    arg: 'NAME=QUERY',
    group: 'smtp',
    help: "put mail sent without an SMTP user name in inbox NAME when it matches QUERY, e.g. 'shop=to:@shop.test' (repeatable, first match wins)",
  },
  {
    name: 'smtp-inbox',
    type: 'string',
    multiple: true,
    arg: 'NAME=ADDR:PORT',
    group: 'smtp',
    help: 'an extra SMTP listener whose mail all goes to inbox NAME (repeatable)',
  },
  {
    name: 'inbox-auth',
    type: 'string',
    multiple: true,
    arg: 'NAME=USER:PASS',
    group: 'smtp',
    help: "close inbox NAME: its SMTP AUTH, API and UI need these credentials (or --ui-auth's) (repeatable)",
  },
  {
    name: 'smtp-auth',
    type: 'string',
    arg: 'USER:PASS',
    group: 'smtp',
    help: 'require SMTP AUTH with these credentials (default: any credentials, optional)',
  },
  {
    name: 'smtp-tls-cert',
    type: 'string',
    arg: 'FILE',
    group: 'smtp',
    help: 'PEM certificate: turns on STARTTLS with it (and serves --smtps)',
  },
  {
    name: 'smtp-tls-key',
    type: 'string',
    arg: 'FILE',
    group: 'smtp',
    help: 'PEM private key of --smtp-tls-cert',
  },
  {
    name: 'smtp-tls',
    type: 'boolean',
    group: 'smtp',
    help: 'offer STARTTLS with a self-signed certificate generated into the data dir (default: no STARTTLS, so every client delivers with its default settings)',
  },
  {
    name: 'smtp-require-tls',
    type: 'boolean',
    group: 'smtp',
    help: 'refuse AUTH and MAIL with 530 until the client has sent STARTTLS, to test an app’s TLS path',
  },
  {
    name: 'smtps',
    type: 'string',
    arg: 'ADDR:PORT',
    group: 'smtp',
    help: 'also listen with implicit TLS (SMTPS, like port 465), for apps set to secure: true (default: off)',
  },
  {
    name: 'max-message-size',
    type: 'string',
    arg: 'BYTES',
    group: 'smtp',
    help: 'largest accepted mail, e.g. 50MB (default 50MB; larger gets 552)',
  },
  {
    name: 'max-recipients',
    type: 'string',
    arg: 'N',
    group: 'smtp',
    help: 'recipients per mail (default 100; more get 452)',
  },
  {
    name: 'max-connections',
    type: 'string',
    arg: 'N',
    group: 'tuning',
    help: 'concurrent SMTP connections (default 100; more get 421)',
  },
  {
    name: 'smtp-command-timeout',
    type: 'string',
    arg: 'DURATION',
    group: 'tuning',
    help: 'longest a client may take to send one command line, however slowly it drips (default 60s; then 421)',
  },
  {
    name: 'smtp-data-timeout',
    type: 'string',
    arg: 'DURATION',
    group: 'tuning',
    help: 'longest a client may take to send one mail after DATA (default 10m; then 421)',
  },
  {
    name: 'ingest-threads',
    type: 'string',
    arg: 'N',
    group: 'tuning',
    help: 'worker threads that parse mails and inject tracking (default: one per core beyond the first two, at most 4, and one for mails of 512 KB or more; 0 = every mail on the main thread, large ones too; 1 = every mail on a worker)',
  },
  {
    name: 'simple-mail-reader',
    type: 'string',
    arg: 'yes|no',
    group: 'tuning',
    help: 'speed switch: read simple mails (one HTML part, or text and HTML as alternatives, no attachments) without mailparser (default yes; no = mailparser for every mail, the reference path)',
  },
  {
    name: 'enable-chaos',
    type: 'boolean',
    group: 'smtp',
    help: 'let PUT /api/v1/chaos make SMTP answer errors on purpose (to test how an app copes)',
  },

  { name: 'no-track', type: 'boolean', group: 'tracking', help: 'store mails without injecting tracking' },
  {
    name: 'track-text',
    type: 'boolean',
    group: 'tracking',
    help: 'also rewrite http(s) links in text/plain parts',
  },
  {
    name: 'tracking-thread',
    type: 'string',
    arg: 'yes|no',
    group: 'tuning',
    help: 'answer tracking hits on a thread of their own (default: yes with three or more cores)',
  },
  {
    name: 'token-mode',
    type: 'string',
    arg: 'MODE',
    group: 'tracking',
    help: 'sealed (default), signed or plain',
  },
  {
    name: 'tracking-key',
    type: 'string',
    multiple: true,
    arg: 'KEY',
    group: 'tracking',
    help: 'token key (hex, base64); repeat for a key ring, the first mints (default: generated into the data dir)',
  },
  {
    name: 'redirect-allow',
    type: 'string',
    multiple: true,
    arg: 'HOST',
    group: 'tracking',
    help: 'hosts that plain-mode click tokens may redirect to',
  },
  {
    name: 'trusted-proxies',
    type: 'string',
    multiple: true,
    arg: 'LIST',
    group: 'tracking',
    help: 'addresses or CIDRs (comma-separated) whose Forwarded / X-Forwarded-For name the real client, e.g. a tunnel',
  },
  {
    name: 'simulate',
    type: 'string',
    multiple: true,
    arg: 'PROFILE[,PROFILE]',
    group: 'tracking',
    help: 'simulate these recipients on every caught mail (human-open, apple-mpp, inbox-journey, …)',
  },

  {
    name: 'hub-jwt-key',
    type: 'string',
    arg: 'KEY',
    group: 'hub',
    help: 'HS256 key for publisher and subscriber JWTs',
  },
  {
    name: 'hub-publisher-key',
    type: 'string',
    arg: 'KEY',
    group: 'hub',
    help: 'HS256 key for publisher JWTs',
  },
  {
    name: 'hub-subscriber-key',
    type: 'string',
    arg: 'KEY',
    group: 'hub',
    help: 'HS256 key for subscriber JWTs',
  },
  {
    name: 'hub-anonymous',
    type: 'boolean',
    group: 'hub',
    help: 'let subscribers without a JWT receive public updates',
  },
  {
    name: 'hub-cors-origins',
    type: 'string',
    multiple: true,
    arg: 'ORIGIN',
    group: 'hub',
    help: 'origins allowed to subscribe from a browser',
  },
  {
    name: 'hub-heartbeat',
    type: 'string',
    arg: 'SECONDS',
    group: 'tuning',
    help: 'heartbeat interval (default 30)',
  },
  {
    name: 'hub-history',
    type: 'string',
    arg: 'N',
    group: 'tuning',
    help: 'updates kept for Last-Event-ID replay (default 10000)',
  },

  {
    name: 'relay',
    type: 'string',
    arg: 'URL',
    group: 'relay',
    help: 'upstream SMTP, smtp://[user:pass@]host:port or smtps://…',
  },
  { name: 'relay-all', type: 'boolean', group: 'relay', help: 'relay every caught mail' },
  {
    name: 'relay-matching',
    type: 'string',
    arg: 'REGEX',
    group: 'relay',
    help: 'relay mails to recipients matching REGEX',
  },
  {
    name: 'relay-allow',
    type: 'string',
    arg: 'REGEX',
    group: 'relay',
    help: 'only these recipients may ever be relayed',
  },
  {
    name: 'relay-block',
    type: 'string',
    arg: 'REGEX',
    group: 'relay',
    help: 'these recipients are never relayed',
  },
  {
    name: 'relay-to',
    type: 'string',
    arg: 'ADDR',
    group: 'relay',
    help: 'send every relayed mail to ADDR instead',
  },
  {
    name: 'relay-from',
    type: 'string',
    arg: 'ADDR',
    group: 'relay',
    help: 'envelope sender for relayed mail',
  },
  {
    name: 'relay-original',
    type: 'boolean',
    group: 'relay',
    help: 'relay the mail as received, not the tracked version',
  },
  {
    name: 'relay-retries',
    type: 'string',
    arg: 'LIST',
    group: 'relay',
    help: 'retry schedule (default 10s,1m,5m,30m,2h,8h)',
  },
  {
    name: 'relay-tls-insecure',
    type: 'boolean',
    group: 'relay',
    help: 'accept self-signed upstream certificates',
  },
  {
    name: 'relay-dkim-domain',
    type: 'string',
    arg: 'DOMAIN',
    group: 'relay',
    help: 're-sign relayed mail with DKIM for DOMAIN',
  },
  { name: 'relay-dkim-selector', type: 'string', arg: 'SELECTOR', group: 'relay', help: 'DKIM selector' },
  {
    name: 'relay-dkim-key',
    type: 'string',
    arg: 'FILE',
    group: 'relay',
    help: 'DKIM private key (PEM file)',
  },

  {
    name: 'webhook',
    type: 'string',
    multiple: true,
    arg: 'URL',
    group: 'webhooks',
    help: 'POST signed events to URL (repeatable)',
  },
  {
    name: 'webhook-secret',
    type: 'string',
    arg: 'whsec_…',
    group: 'webhooks',
    help: 'Standard Webhooks signing secret (default: generated)',
  },
  {
    name: 'webhook-events',
    type: 'string',
    arg: 'LIST',
    group: 'webhooks',
    help: 'events to send (default open,click,unsub,message.received,relay.*)',
  },
  {
    name: 'webhook-retries',
    type: 'string',
    arg: 'LIST',
    group: 'webhooks',
    help: 'retry schedule (default 5s,5m,30m,2h,5h,10h)',
  },

  {
    name: 'json',
    type: 'boolean',
    group: 'output',
    help: 'print the listener addresses as one JSON line on stdout',
  },
  { name: 'quiet', type: 'boolean', group: 'output', help: 'log only warnings and errors' },
];

/** `smtp-auth` → `MB_SMTP_AUTH` */
export const envName = (flag: string): string => `MB_${flag.toUpperCase().replaceAll('-', '_')}`;

/** `smtp-auth` → `smtpAuth` */
export const configKey = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
