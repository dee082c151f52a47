/**
 * Many inboxes (`npm run bench:inboxes`), in one run:
 *  1. a store of --mails mails spread over 20 inboxes among --inboxes inboxes: listing and searching one inbox
 *     (`/inbox/NAME/api/v1/…` and `inbox:NAME`) beside the same list and searches over the whole store, the
 *     baseline; median of --runs runs each;
 *  2. ingest over SMTP (pipelined, as bench:smtp) into an empty store, taking turns: every mail into `default`, and
 *     each connection logged in as one of 20 inboxes (created by their first mail); with --baseline (a checkout of
 *     the code before inboxes, with its node_modules), that checkout's ingest too.
 *
 *   tsx bench/inboxes.ts [--mails 100000] [--inboxes 1000] [--ingest 3000] [--runs 5] [--baseline DIR]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { prefillMailbox } from './lib/prefill.js';
import { sampleMailRenderer } from './lib/sample-mail.js';
import { ServeProcess } from './lib/serve-process.js';
import { runSmtpLoad } from './lib/smtp-load.js';

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '100000' },
    inboxes: { type: 'string', default: '1000' },
    ingest: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '5' },
    baseline: { type: 'string', default: '' },
  },
});
const MAILS = Number(args.mails);
const INBOXES = Number(args.inboxes);
const FILLED = 20;
const INGEST = Number(args.ingest);
const RUNS = Math.max(1, Number(args.runs));

const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup: (() => Promise<unknown> | void)[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(dataDir: string, bin?: string): Promise<ServeProcess> {
  const started = await ServeProcess.start({ dataDir, bin, args: ['--max-messages', '0'] });
  cleanup.push(() => started.stop(60_000));
  return started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`[bench] ${url} answered ${res.status}`);
  return performance.now() - t0;
}

async function reads(http: string): Promise<void> {
  const one = 'project-7';
  const q = (query: string) => `search?query=${encodeURIComponent(query)}&limit=50`;
  const pairs: [string, string, string][] = [
    ['list, first page', '/api/v1/messages?limit=50', `/inbox/${one}/api/v1/messages?limit=50`],
    [
      'list, page at the middle',
      `/api/v1/messages?start=${MAILS / 2}&limit=50`,
      `/inbox/${one}/api/v1/messages?start=${MAILS / FILLED / 2}&limit=50`,
    ],
    ['word (1 in 40)', `/api/v1/${q('refund')}`, `/inbox/${one}/api/v1/${q('refund')}`],
    [
      'from: (1 in 10)',
      `/api/v1/${q('from:billing@shop7.test')}`,
      `/inbox/${one}/api/v1/${q('from:billing@shop7.test')}`,
    ],
    ['is:unread', `/api/v1/${q('is:unread')}`, `/inbox/${one}/api/v1/${q('is:unread')}`],
    ['has:attachment', `/api/v1/${q('has:attachment')}`, `/api/v1/${q(`inbox:${one} has:attachment`)}`],
  ];
  log(
    `\n  ${'what'.padEnd(28)} ${'whole store'.padStart(12)} ${'one inbox'.padStart(12)}   (median of ${RUNS}, ms)`,
  );
  for (const [what, whole, inbox] of pairs) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      a.push(await timed(http + whole));
      b.push(await timed(http + inbox));
    }
    log(`  ${what.padEnd(28)} ${median(a).toFixed(1).padStart(12)} ${median(b).toFixed(1).padStart(12)}`);
  }
  const list: number[] = [];
  for (let i = 0; i < RUNS; i++) list.push(await timed(`${http}/api/v1/inboxes`));
  log(`  GET /api/v1/inboxes (${INBOXES} inboxes): ${median(list).toFixed(1)} ms`);
}

async function ingestRate(
  bin: string | undefined,
  label: string,
  user?: (c: number) => string,
): Promise<number> {
  const dir = tempDir('mailbeacon-bench-inboxes-ingest-');
  const s = await serve(dir, bin);
  const render = await sampleMailRenderer();
  const common = {
    host: s.smtpHost,
    port: s.smtpPort,
    connections: 10,
    message: (n: number) => render(n),
    user,
  };
  await runSmtpLoad({ ...common, mails: 200, maxSeconds: 60 });
  const result = await runSmtpLoad({ ...common, mails: INGEST, maxSeconds: 120 });
  await s.stop(60_000);
  log(
    `  ingest, ${label}: ${result.accepted} mails in ${result.seconds.toFixed(1)} s → ${Math.round(result.rate)} mails/s` +
      `${result.refused ? `, ${result.refused} refused (${result.firstError})` : ''}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  return result.rate;
}

try {
  log(`[bench] ${MAILS} mails over ${FILLED} of ${INBOXES} inboxes; ${cpus().length} cores`);
  const dir = tempDir('mailbeacon-bench-inboxes-');
  const t0 = performance.now();
  await prefillMailbox(dir, MAILS);
  // The prefill stores every mail in `default`; spread them over the inboxes as routing would have.
  const db = new BetterSqlite3(join(dir, 'mailbeacon.db'));
  db.transaction(() => {
    db.prepare(`UPDATE messages SET inbox = 'project-' || (seq % ${FILLED})`).run();
    const add = db.prepare('INSERT OR IGNORE INTO inboxes (name, created_ms) VALUES (?, ?)');
    for (let i = 0; i < INBOXES; i++) add.run(`project-${i}`, Date.now());
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  log(`  prefilled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const s = await serve(dir);
  await reads(s.http);
  await s.stop(60_000);

  const baseline =
    args.baseline && existsSync(join(args.baseline, 'bin', 'mailbeacon.js'))
      ? join(args.baseline, 'bin', 'mailbeacon.js')
      : undefined;
  if (!baseline) log(`\n  no baseline checkout (--baseline DIR): ingest of this checkout only`);
  log('');
  const ours: number[] = [];
  const routed: number[] = [];
  const theirs: number[] = [];
  // Two connections per inbox: `project-0` … `project-4` among the ten connections, each inbox logged into as well.
  const inboxOf = (c: number) => `project-${c % 5}`;
  for (let i = 0; i < 2; i++) {
    if (baseline) theirs.push(await ingestRate(baseline, 'baseline'));
    ours.push(await ingestRate(undefined, 'into default'));
    routed.push(await ingestRate(undefined, 'logged into 5 inboxes', inboxOf));
  }
  const change = (a: number[], b: number[]) => {
    const pct = (Math.max(...a) / Math.max(...b) - 1) * 100;
    return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % (best of each: ${Math.round(Math.max(...a))} vs ${Math.round(Math.max(...b))} mails/s)`;
  };
  log(`  ingest logged into inboxes against into default: ${change(routed, ours)}`);
  if (baseline) log(`  ingest into default against the baseline: ${change(ours, theirs)}`);
} finally {
  for (const step of cleanup.reverse()) await step();
}
