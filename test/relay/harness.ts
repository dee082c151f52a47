import { injectorFrom } from '../../src-main/ingest/injector-settings.js';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { RelayEntry } from '../../src-main/wire/types.js';
import { loadSettings } from '../../src-main/config/load.js';
import { EventBus } from '../../src-main/events/bus.js';
import { Ingest } from '../../src-main/ingest/ingest.js';
import { createLogger, systemClock, type LogLine } from '../../src-main/logger.js';
import { RelayWorker, relayConfig } from '../../src-main/relay/index.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { SqliteRelayOutbox } from '../../src-main/store/sqlite/relay-outbox.js';
import { prepareMail } from '../../src-main/ingest/prepare.js';
import { codecFromSettings } from '../../src-main/tracking/setup.js';
import { storeOptions } from '../helpers/stores.js';

/** What a real SMTP server on loopback received. */
export interface Arrival {
  from: string;
  to: string[];
  raw: Buffer;
  /** Whether the session was encrypted (STARTTLS or implicit TLS). */
  secure: boolean;
}

/** How the upstream offers TLS: not at all, STARTTLS, or implicit TLS (smtps). smtp-server's bundled self-signed certificate is used. */
export type UpstreamTls = 'none' | 'starttls' | 'implicit';

/** A real upstream (smtp-server on 127.0.0.1) that records each mail; `answer` decides the reply to DATA. */
export class Upstream {
  readonly arrivals: Arrival[] = [];
  /** Returns an error with `responseCode` to refuse the mail, or nothing to accept it. */
  answer: (arrival: Arrival) => (Error & { responseCode?: number }) | undefined = () => undefined;
  /** Takes the mail but never replies to it, as a hung upstream does. */
  stall = false;
  port = 0;
  #server?: SMTPServer;

  constructor(readonly tls: UpstreamTls = 'none') {}

  async listen(port = 0): Promise<number> {
    const options: SMTPServerOptions = {
      authOptional: true,
      // close() ends sessions still open after this long (a stalled one would otherwise hold it for 30 s)
      closeTimeout: 100,
      secure: this.tls === 'implicit',
      disabledCommands: this.tls === 'none' ? ['STARTTLS'] : [],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const arrival: Arrival = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
            secure: session.secure,
          };
          if (this.stall) return; // never answer the end of DATA
          const error = this.answer(arrival);
          if (!error) this.arrivals.push(arrival);
          callback(error ?? null);
        });
      },
    };
    const server = (this.#server = new SMTPServer(options));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as { port: number }).port;
    return this.port;
  }

  get url(): string {
    return `${this.tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Arrivals per Message-ID header, to tell a mail delivered twice from two mails. */
  countByMessageId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.arrivals) {
      const id = /^Message-ID:\s*(\S+)/im.exec(a.raw.toString('latin1'))?.[1] ?? '';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }
}

/** The capture side of a sandbox without its listeners: database, store, ingest with tracking, and the relay worker. */
export interface Pipeline {
  db: Database;
  store: SqliteMessageStore;
  bus: EventBus;
  ingest: Ingest;
  relay: RelayWorker;
  logs: LogLine[];
  statuses: RelayEntry[];
  close(): Promise<void>;
}

/** Builds the pipeline as sandbox.ts does, on `dataDir`, with relay flags as `serve` takes them (camelCase). */
export function openPipeline(
  dataDir: string,
  flags: Record<string, unknown>,
  worker: { stopGraceMs?: number } = {},
): Pipeline {
  const settings = loadSettings({ dataDir, ...flags }, {});
  const logs: LogLine[] = [];
  const logger = createLogger('info', (l) => logs.push(l));
  const db = openDatabase({ path: join(dataDir, 'mailbeacon.db') });
  const store = new SqliteMessageStore(db, storeOptions(db));
  const bus = new EventBus();
  const { keys } = codecFromSettings(settings);
  const injector = injectorFrom(
    { enabled: true, trackText: false, rules: [], tokenMode: settings.tokenMode, keys },
    () => 'http://127.0.0.1:8026',
  );
  const ingest = new Ingest({
    store,
    bus,
    clock: systemClock,
    prepare: (mail) => prepareMail(mail, injector),
  });
  const relayConfig_ = relayConfig(settings);
  if (!relayConfig_) throw new Error('no relay configured');
  const relay = new RelayWorker({
    outbox: new SqliteRelayOutbox(db),
    store,
    bus,
    logger: logger.child('relay'),
    clock: systemClock,
    config: relayConfig_,
    ...worker,
  });
  const statuses: RelayEntry[] = [];
  bus.on('relay.status', (e) => statuses.push(e));
  relay.attach(store);
  relay.start();
  return {
    db,
    store,
    bus,
    ingest,
    relay,
    logs,
    statuses,
    async close() {
      await relay.stop();
      db.close();
    },
  };
}

let counter = 0;

/** A real MIME mail with an HTML part and a link, so tracking changes it. */
export async function composeMail(options: {
  to: string[];
  subject?: string;
  headers?: Record<string, string>;
}) {
  counter++;
  const messageId = `<relay-test-${process.pid}-${Date.now()}-${counter}@sender.test>`;
  const raw = await new MailComposer({
    from: 'App <app@sender.test>',
    to: options.to,
    subject: options.subject ?? `Relay test ${counter}`,
    messageId,
    headers: options.headers,
    text: 'Hello, see https://example.com/welcome',
    html: '<html><body><p>Hello, <a href="https://example.com/welcome">welcome</a></p></body></html>',
  })
    .compile()
    .build();
  return { raw, messageId };
}

/** Catches a mail through ingest as the SMTP catcher hands it over; resolves with the stored id. */
export async function catchMail(
  pipeline: Pipeline,
  to: string[],
  extra: { subject?: string; headers?: Record<string, string>; from?: string } = {},
): Promise<{ id: string; messageId: string }> {
  const { raw, messageId } = await composeMail({ to, ...extra });
  const id = await pipeline.ingest.accept({
    raw,
    envelopeFrom: extra.from ?? 'bounce@sender.test',
    envelopeTo: to,
    username: '',
    remoteIp: '127.0.0.1',
  });
  return { id, messageId };
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs` with `what` and the state `detail` describes. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  detail: () => unknown = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${JSON.stringify(detail())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
