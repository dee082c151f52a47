import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

/** The upstream settings the transport is built from (`--relay*`). */
export interface UpstreamOptions {
  /** smtp://[user:pass@]host:port or smtps://… (implicit TLS) */
  url: string;
  tlsInsecure: boolean;
  dkim?: { domain: string; selector: string; keyFile: string };
}

/** Pooled connections to the upstream; the worker never has more sends in flight than this. */
export const POOL_CONNECTIONS = 5;
/** An upstream that accepts the connection but says nothing for this long is treated as down (a temporary failure). */
const GREETING_TIMEOUT_MS = 30_000;
/** A stalled transaction (no reply to a command or to the end of DATA) is abandoned after this long; RFC 5321 §4.5.3.2 asks clients to wait up to 10 minutes for DATA, but a stuck upstream must not hold the worker that long. */
const SOCKET_TIMEOUT_MS = 120_000;
const CONNECTION_TIMEOUT_MS = 30_000;

/**
 * Header fields the re-signed DKIM signature covers: nodemailer's defaults plus List-Unsubscribe-Post, which RFC 8058
 * §4 requires to be signed together with List-Unsubscribe for one-click unsubscribe to be honoured.
 */
export const DKIM_HEADER_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
].join(':');

export type RelayTransport = Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

/** Builds the pooled nodemailer transport; STARTTLS is used whenever the upstream offers it (nodemailer's default). */
export function createUpstreamTransport(options: UpstreamOptions): RelayTransport {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return nodemailer.createTransport({
    pool: true,
    maxConnections: POOL_CONNECTIONS,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 25,
    secure,
    auth: user ? { user, pass } : undefined,
    tls: { rejectUnauthorized: !options.tlsInsecure },
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    dkim: options.dkim
      ? {
          domainName: options.dkim.domain,
          keySelector: options.dkim.selector,
          privateKey: readDkimKey(options.dkim.keyFile),
          headerFieldNames: DKIM_HEADER_FIELDS,
        }
      : undefined,
  });
}

function readDkimKey(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`[relay] cannot read the DKIM key --relay-dkim-key ${file}: ${(err as Error).message}`);
  }
}

/**
 * Closes the pool. `force` also closes connections that are delivering (their sends fail), which nodemailer's pool
 * supports (`close({ force })`) though its type declarations still say `close()`.
 */
export function closeTransport(transport: RelayTransport, force: boolean): void {
  (transport as unknown as { close(options: { force: boolean }): void }).close({ force });
}

/** An error nodemailer reports for a send, with the SMTP reply when the upstream gave one. */
export interface SendError {
  message: string;
  code?: string;
  response?: string;
  responseCode?: number;
}

/**
 * Permanent failures are dead-lettered at once: a 5xx reply (RFC 5321 §4.2.1: do not repeat the same request), or
 * a mail nodemailer refuses before talking to the upstream (bad envelope or message). Everything else — 4xx, refused
 * or dropped connections, timeouts, TLS trouble — may pass, so it is retried by the schedule.
 */
export function isPermanent(err: SendError): boolean {
  if (typeof err.responseCode === 'number') return err.responseCode >= 500;
  return err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}

/** What an attempt records: the upstream's reply when there was one, else the error. */
export function describeError(err: SendError): string {
  const reply = err.response?.trim();
  if (reply) return reply;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

/** The connection's user:pass hidden, for showing the configuration. */
export function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:****@');
}
