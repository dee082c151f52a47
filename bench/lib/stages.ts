import { injectorFrom } from '../../src-main/ingest/injector-settings.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { EventBus } from '../../src-main/events/bus.js';
import { Ingest, newMessageId } from '../../src-main/ingest/ingest.js';
import { parseMail } from '../../src-main/ingest/parse.js';
import { readSimpleMail } from '../../src-main/ingest/simple-mail.js';
import { prepareMail } from '../../src-main/ingest/prepare.js';
import { systemClock } from '../../src-main/logger.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { CommitQueue } from '../../src-main/store/sqlite/commit-queue.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import { mailReaders } from '../../src-main/ingest/service.js';
import { SqliteMessageStore, type NewMessage } from '../../src-main/store/sqlite/messages.js';
import { generateKey } from '../../src-main/tracking/index.js';

export interface StageCost {
  stage: string;
  /** CPU milliseconds per mail (user + system of this process, all threads). */
  cpuMsPerMail: number;
}

/** Mails per stage; enough for a steady figure, few enough that the whole table takes seconds. */
const STAGE_MAILS = 2_000;

async function cpuMsPerMail(count: number, work: (n: number) => Promise<unknown> | unknown): Promise<number> {
  for (let n = 0; n < 100; n++) await work(n);
  const before = process.cpuUsage();
  for (let n = 0; n < count; n++) await work(n + 100);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/**
 * Where a mail's CPU time goes inside Mailbeacon, stage by stage, in this process: parsing, tracking injection, the
 * SQLite commit, and Ingest.accept as a whole (all of them plus the summary and the bus). The SMTP server's own share
 * is the difference between a served mail and Ingest.accept. Two variants show what a fix would save: mailparser
 * without its HTML-to-text conversion, and commits that carry 10 mails instead of one.
 */
export async function measureStages(render: (n: number) => Buffer): Promise<StageCost[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-stages-'));
  const db = openDatabase({ path: join(dir, 'mailbeacon.db') });
  try {
    const commits = new CommitQueue(db);
    const store = new SqliteMessageStore(db, { commits, events: new SqliteEventStore(db, commits), ...mailReaders });
    const injector = injectorFrom(
      { enabled: true, trackText: false, rules: [], tokenMode: 'sealed', keys: [generateKey()] },
      () => 'http://127.0.0.1:8026',
    );
    const ingest = new Ingest({
      store,
      bus: new EventBus(),
      clock: systemClock,
      prepare: (mail) => prepareMail(mail, injector),
    });
    // One message object, given a new id and new bytes for each insert (the store keeps none of it). Spreading the
    // parsed fields into a new object per mail would time V8's slow path for such literals, not the store.
    const stored: NewMessage = {
      ...(await parseMail(render(0))),
      id: '',
      createdMs: 0,
      username: '',
      envelopeFrom: 'a@bench.test',
      envelopeTo: ['b@bench.test'],
      remoteIp: '127.0.0.1',
      manifest: null,
      raw: render(0),
      tracked: null,
    };
    const message = (n: number) => {
      stored.id = newMessageId();
      stored.createdMs = Date.now();
      stored.raw = render(n);
      stored.tracked = render(n);
      return stored;
    };
    const ctx = { messageId: 'x', sender: 'a@bench.test', recipients: ['b@bench.test'], subject: 'bench' };
    const tenAtOnce = db.transaction((n: number) => {
      for (let i = 0; i < 10; i++) store.insert(message(n * 10 + i), 0);
    });

    const stages: [string, number, (n: number) => Promise<unknown> | unknown][] = [
      [
        'parseMail (simple-mail reader, else mailparser; HTML → text, headers)',
        1,
        (n) => parseMail(render(n)),
      ],
      ['simple-mail reader alone (no HTML → text)', 1, (n) => readSimpleMail(render(n))],
      [
        'mailparser alone',
        1,
        (n) => simpleParser(render(n), { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }),
      ],
      [
        'mailparser without HTML → text (skipHtmlToText)',
        1,
        (n) =>
          simpleParser(render(n), {
            skipTextToHtml: true,
            skipTextLinks: true,
            skipImageLinks: true,
            skipHtmlToText: true,
          }),
      ],
      ['tracking injection', 1, (n) => injector.inject(render(n), ctx)],
      ['store.insert, one commit per mail', 1, (n) => store.insert(message(n), 0)],
      ['store.insert, 10 mails per commit', 10, (n) => tenAtOnce(n)],
      [
        'Ingest.accept on the main thread (parse + inject + commit + summary + bus)',
        1,
        (n) =>
          ingest.accept({
            raw: render(n),
            envelopeFrom: 'a@bench.test',
            envelopeTo: ['b@bench.test'],
            username: '',
            remoteIp: '127.0.0.1',
          }),
      ],
    ];
    const out: StageCost[] = [];
    for (const [stage, perCall, work] of stages) {
      const ms = await cpuMsPerMail(STAGE_MAILS / perCall, work);
      out.push({ stage, cpuMsPerMail: ms / perCall });
      // Untimed: the full-text entries of the mails stored so far, which `serve` writes on another thread (and
      // which the store would otherwise read back and parse during the next stage).
      await store.searchReady();
    }
    return out;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
