/**
 * A large mailbox (`npm run bench:scale`), in one run:
 *  1. `serve`'s start time (process start to its first HTTP answer) on an empty store (the baseline) and on a store
 *     prefilled with --mails mails, after a clean stop of `serve` (the common case) and on a data directory no
 *     `serve` has closed (the prefill's: what a start after a crash sees);
 *  2. ingest over SMTP (pipelined, as bench:smtp) into the empty store and into the prefilled one;
 *  3. every search filter and pages of the list deep into the mailbox through the API: median and max of --runs runs.
 *
 *   tsx bench/scale.ts [--mails 100000] [--ingest 5000] [--runs 5] [--bundle] [--data-dir DIR]
 *
 * --data-dir keeps the prefilled mailbox in DIR (prefilled only when empty), so a large one is filled once for
 * several runs. The prefill writes through MessageStore and hands each mail's search entry over as ingest does.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  PREFILL_ATTACHMENT_EVERY,
  PREFILL_READ_EVERY,
  PREFILL_SPACING_MS,
  prefillMailbox,
} from './lib/prefill.js';
import { sampleMailRenderer, SENDERS, WORDS } from './lib/sample-mail.js';
import { ServeProcess } from './lib/serve-process.js';
import { runSmtpLoad } from './lib/smtp-load.js';

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '100000' },
    ingest: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
    bundle: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
  },
});
const MAILS = Number(args.mails);
const INGEST = Number(args.ingest);
const RUNS = Math.max(1, Number(args.runs));
const CONNECTIONS = 10;
const STOP_TIMEOUT_MS = 60_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup: (() => Promise<unknown> | void)[] = [];
const render = await sampleMailRenderer();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts `serve` and measures process start to its first answer of the list (the UI's first request). */
async function start(dataDir: string, startTimeoutMs?: number): Promise<{ serve: ServeProcess; ms: number }> {
  const t0 = performance.now();
  const serve = await ServeProcess.start({
    dataDir,
    startTimeoutMs,
    fromSource: !args.bundle,
    bundle: args.bundle,
    // 0 keeps every mail: serve's default of 10,000 would prune the prefilled mailbox.
    args: ['--max-messages', '0'],
  });
  const res = await fetch(`${serve.http}/api/v1/messages?limit=1`);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  cleanup.push(() => serve.stop(STOP_TIMEOUT_MS));
  if (!res.ok) throw new Error(`[bench] the first answer was ${res.status}`);
  return { serve, ms };
}

async function ingest(serve: ServeProcess, label: string): Promise<number> {
  const warm = await runSmtpLoad({
    host: serve.smtpHost,
    port: serve.smtpPort,
    connections: CONNECTIONS,
    mails: 200,
    maxSeconds: 60,
    message: (n) => render(MAILS + n),
  });
  const result = await runSmtpLoad({
    host: serve.smtpHost,
    port: serve.smtpPort,
    connections: CONNECTIONS,
    mails: INGEST,
    maxSeconds: 120,
    message: (n) => render(MAILS + warm.accepted + n),
  });
  log(
    `  ingest, ${label}: ${result.accepted} mails in ${result.seconds.toFixed(1)} s → ${Math.round(result.rate)} mails/s` +
      `${result.refused ? `, ${result.refused} refused (${result.firstError})` : ''}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  return result.rate;
}

interface Probe {
  what: string;
  path: string;
}

function probes(total: number): Probe[] {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  // The prefill spaces mails a minute apart back from now: a cut at a tenth of the mailbox's age.
  const tenth = day(Date.now() - (total / 10) * PREFILL_SPACING_MS);
  const page = (start: number) => `/api/v1/messages?start=${Math.max(0, start)}&limit=50`;
  const search = (query: string, start = 0) =>
    `/api/v1/search?query=${encodeURIComponent(query)}&start=${start}&limit=50`;
  const mid = Math.floor(total / 2);
  const some = Math.floor(total / 3);
  return [
    { what: 'list, first page', path: page(0) },
    { what: `list, page at ${mid}`, path: page(mid) },
    { what: 'list, last page', path: page(total - 50) },
    { what: `word (1 in ${WORDS.length})`, path: search('refund') },
    { what: 'word, page at a third of its matches', path: search('refund', Math.floor(total / 60)) },
    { what: 'quoted phrase', path: search(`"order ${some}"`) },
    { what: 'word and negated word', path: search('voucher -newsletter') },
    { what: 'from: (every mail)', path: search('from:billing') },
    { what: `from: (1 in ${SENDERS})`, path: search('from:billing@shop7.test') },
    { what: 'to: (one mail)', path: search(`to:user${some}@example.test`) },
    { what: 'cc: (none)', path: search('cc:nobody') },
    { what: 'bcc: (none)', path: search('bcc:nobody') },
    { what: 'reply-to: (none)', path: search('reply-to:nobody') },
    { what: 'addressed: (one mail)', path: search(`addressed:user${some}@example.test`) },
    { what: `subject: (1 in ${WORDS.length})`, path: search('subject:renewal') },
    { what: 'message-id: (one mail)', path: search(`message-id:${some}.bench@shop.example.test`) },
    { what: 'tag: (none)', path: search('tag:urgent') },
    { what: `is:read (1 in ${PREFILL_READ_EVERY})`, path: search('is:read') },
    { what: 'is:unread, page at half its matches', path: search('is:unread', Math.floor(total / 3)) },
    { what: 'is:tagged (none)', path: search('is:tagged') },
    { what: 'is:opened (none)', path: search('is:opened') },
    { what: 'is:clicked (none)', path: search('is:clicked') },
    { what: 'is:unsubscribed (none)', path: search('is:unsubscribed') },
    { what: 'is:relayed (none)', path: search('is:relayed') },
    { what: `has:attachment (1 in ${PREFILL_ATTACHMENT_EVERY})`, path: search('has:attachment') },
    { what: 'has:inline (none)', path: search('has:inline') },
    { what: 'larger:100k (none)', path: search('larger:100k') },
    { what: 'smaller:100k (every mail)', path: search('smaller:100k') },
    { what: 'after: (newest tenth)', path: search(`after:${tenth}`) },
    { what: 'before: (oldest nine tenths)', path: search(`before:${tenth}`) },
    { what: '-is:read (negated)', path: search('-is:read') },
    { what: 'word + from: + is:unread', path: search('invoice from:shop0 is:unread') },
  ];
}

interface Latency {
  what: string;
  matches: number;
  medianMs: number;
  maxMs: number;
}

async function latencies(http: string, total: number): Promise<Latency[]> {
  const out: Latency[] = [];
  for (const { what, path } of probes(total)) {
    const times: number[] = [];
    let matches = 0;
    // One warm-up run: the first search also waits for the full-text index to catch up.
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      const res = await fetch(`${http}${path}`);
      const body = (await res.json()) as { messages_count: number };
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`[bench] ${path} → ${res.status}`);
      matches = body.messages_count;
      if (i > 0) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const row = { what, matches, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times.at(-1)! };
    log(
      `  ${what.padEnd(40)} ${String(matches).padStart(8)} matches  median ${row.medianMs.toFixed(1)} ms  max ${row.maxMs.toFixed(1)} ms`,
    );
    out.push(row);
  }
  return out;
}

try {
  log(
    `bench:scale: ${MAILS} mails; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  );
  log('empty store');
  const empty = await start(tempDir('mb-bench-scale-empty-'));
  log(`  start: ${empty.ms.toFixed(0)} ms`);
  const emptyRate = await ingest(empty.serve, 'empty store');
  await empty.serve.stop(STOP_TIMEOUT_MS);

  const dir = args['data-dir'] ?? tempDir('mb-bench-scale-full-');
  let prefillSeconds = 0;
  if (readdirSync(dir).length === 0) {
    log(`prefill: ${MAILS} mails`);
    const t0 = performance.now();
    await prefillMailbox(dir, MAILS, (n) => {
      if (n % 50_000 === 0) log(`  prefill: ${n}`);
    });
    prefillSeconds = (performance.now() - t0) / 1000;
    log(`  prefill: ${MAILS} mails in ${prefillSeconds.toFixed(0)} s`);
  }
  log('prefilled store');
  // Whatever closed it last, the first start here is measured as one after a crash.
  rmSync(join(dir, 'mailbeacon.db-closed'), { force: true });
  // A data directory no `serve` closed: the start checks the whole file.
  // Reading 7 GB for damage takes minutes; the limit only keeps a hung start from hanging the run.
  const first = await start(dir, 30 * 60_000);
  log(`  start after a stop that was not serve's own: ${first.ms.toFixed(0)} ms`);
  await first.serve.stop(STOP_TIMEOUT_MS);
  const full = await start(dir);
  log(`  start after a clean stop: ${full.ms.toFixed(0)} ms`);
  const info = (await (await fetch(`${full.serve.http}/api/v1/info`)).json()) as { Messages: number };
  const rows = await latencies(full.serve.http, info.Messages);
  const fullRate = await ingest(full.serve, `${info.Messages} stored`);
  await full.serve.stop(STOP_TIMEOUT_MS);

  const slowest = rows.reduce((a, b) => (a.maxMs >= b.maxMs ? a : b));
  const lines = [
    '',
    `| ${info.Messages} mails | figure |`,
    '| --- | ---: |',
    `| start, empty store (baseline) | ${empty.ms.toFixed(0)} ms |`,
    `| start after a clean stop (target < 2 s) | ${full.ms.toFixed(0)} ms |`,
    `| start after a stop that was not serve's own (the whole file is checked) | ${first.ms.toFixed(0)} ms |`,
    `| ingest, empty store (baseline) | ${Math.round(emptyRate)} mails/s |`,
    `| ingest, ${info.Messages} stored | ${Math.round(fullRate)} mails/s (${((100 * fullRate) / emptyRate).toFixed(0)}%) |`,
    `| slowest filter or page, max of ${RUNS} runs (target < 200 ms) | ${slowest.maxMs.toFixed(0)} ms (${slowest.what}) |`,
    ...(prefillSeconds ? [`| prefill | ${prefillSeconds.toFixed(0)} s |`] : []),
    '',
    '| filter or page | matches | median ms | max ms |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.what} | ${r.matches} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const fn of cleanup.splice(0).reverse()) await fn();
}
