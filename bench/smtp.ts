/**
 * SMTP ingest benchmark (`npm run bench:smtp`), in one run:
 *  1. the same 5 KB HTML mails over 10 pipelined connections to (a) a bare smtp-server that discards (the floor),
 *     (b) MailDev 3 (in memory) and (c) Mailbeacon (`serve` on a temp data dir: durable, 250 after commit), (b) and
 *     (c) in turn for --rounds rounds, so a slow stretch of the machine falls on both; also (d) with
 *     --ingest-threads 0, every mail parsed and tracked on the main thread, where that is not the default already;
 *  2. Mailbeacon's RSS after 20,000 mails;
 *  3. Mailbeacon's ingest rate with 100,000 mails already stored, against the rate on an empty store;
 *  4. search over 100,000+ mails through GET /api/v1/search: median and p95 per query kind;
 *  5. CPU time per mail of each ingest stage, in this process (where the time goes, and what two fixes would save);
 *  6. a client that does not pipeline (one command, one reply, as Python's smtplib and most framework mailers send)
 *     against the bare smtp-server, MailDev and Mailbeacon's empty store, one after the other: both ratios.
 *
 *   tsx bench/smtp.ts [--mails 20000] [--prefill 100000] [--connections 10] [--max-seconds 120]
 *                     [--only floor,maildev,empty,inline,full,search,stages,lockstep] [--rounds 1]
 *                     [--lockstep-mails 5000]  (mails of the client that does not pipeline, per server)
 *                     [--prof DIR]         (CPU profiles of Mailbeacon into DIR)
 *                     [--max-messages 0]   (Mailbeacon's --max-messages; serve's default 10000 prunes a mail per mail)
 *                     [--bundle]           (run the built CLI, out/main/cli.js, instead of the sources through tsx)
 *                     [--serve-arg=--ingest-threads=0 ...]  (extra flags for Mailbeacon's `serve`)
 *
 * Every server runs in its own process; the load generator here sends prebuilt mails, so its own CPU time stays small.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  PREFILL_ATTACHMENT_EVERY,
  PREFILL_READ_EVERY,
  PREFILL_SPACING_MS,
  prefillMailbox,
} from './lib/prefill.js';
import { sampleMailRenderer, SENDERS } from './lib/sample-mail.js';
import { ServeProcess } from './lib/serve-process.js';
import { runSmtpLoad, type SmtpLoadResult } from './lib/smtp-load.js';
import { measureStages, type StageCost } from './lib/stages.js';
import { defaultPrepareThreads } from '../src-main/ingest/pool.js';

const DISCARD_SERVER = fileURLToPath(new URL('./lib/discard-smtp.ts', import.meta.url));
// MailDev exports only its entry (dist/index.js); its CLI sits beside it in dist/bin.
const MAILDEV_BIN = fileURLToPath(new URL('./bin/maildev.js', import.meta.resolve('maildev')));

/** Mails sent before each measured run, so JIT, connection set-up and first-page allocations are not measured. */
const WARMUP_MAILS = 500;
/** Runs of each search query; the first SEARCH_WARMUP are not counted. */
const SEARCH_RUNS = 30;
const SEARCH_WARMUP = 3;
/** A slow query gets fewer runs (at least SEARCH_MIN_RUNS), so the whole bench stays within minutes. */
const SEARCH_BUDGET_MS = 15_000;
const SEARCH_MIN_RUNS = 5;
/** A server that is not accepting connections after this long fails the run. */
const START_TIMEOUT_MS = 60_000;
/** A server that does not exit after SIGTERM within this long is killed. */
const STOP_TIMEOUT_MS = 30_000;
/** USER_HZ on Linux: /proc/PID/stat counts CPU time in these. */
const CLOCK_TICKS = 100;

const { values: args } = parseArgs({
  options: {
    mails: { type: 'string', default: '20000' },
    prefill: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '10' },
    'max-seconds': { type: 'string', default: '120' },
    only: { type: 'string', default: 'floor,maildev,empty,inline,full,search,stages,lockstep' },
    'lockstep-mails': { type: 'string', default: '5000' },
    // MailDev and Mailbeacon's empty store run in turn this many times; the ratio is taken from their mean rates.
    rounds: { type: 'string', default: '1' },
    prof: { type: 'string' },
    // 0 keeps every mail (needed to reach 100,000); 10000 is serve's default, where each mail also prunes one.
    'max-messages': { type: 'string', default: '0' },
    // Run Mailbeacon from the built bundle (out/main/cli.js, `npm run build`) instead of the sources through tsx.
    bundle: { type: 'boolean', default: false },
    // Extra flags for `serve`, e.g. --serve-arg=--ingest-threads=0 to prepare every mail on the main thread.
    'serve-arg': { type: 'string', multiple: true, default: [] },
  },
});
const MAILS = Number(args.mails);
const PREFILL = Number(args.prefill);
const CONNECTIONS = Number(args.connections);
const MAX_SECONDS = Number(args['max-seconds']);
const ONLY = new Set(args.only.split(','));
const ROUNDS = Math.max(1, Number(args.rounds));

if (args.bundle && !bundleIsFresh())
  throw new Error(
    '[bench] --bundle: out/main/cli.js is missing or older than src-main; run `npm run build` first',
  );

const render = await sampleMailRenderer();
const log = (line: string) => process.stderr.write(`${line}\n`);
const cleanup: (() => Promise<unknown> | void)[] = [];

// ---------------------------------------------------------------- helpers

/** The same test bin/mailbeacon.js makes before it runs the bundle. */
function bundleIsFresh(): boolean {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  const bundle = join(root, 'out', 'main', 'cli.js');
  return existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(root, 'src-main'));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until something accepts TCP connections on the port (MailDev prints no machine-readable "ready"). */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`[bench] server exited with ${child.exitCode} before listening`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`[bench] nothing listening on ${port} after ${START_TIMEOUT_MS} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Resident and peak resident memory of a process, in MB (Linux). */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used so far (Linux; clock ticks are 100 per second there). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The load average while a run went on: the machine is shared, so a rate means little without it. */
const loadAverage = () => loadavg()[0]!.toFixed(1);

interface LoadRun extends SmtpLoadResult {
  /** CPU seconds the server spent on the measured mails, and mails per such second: steady on a busy machine. */
  cpuSeconds: number;
  mailsPerCpuSecond: number;
  loadAverage: string;
}

async function load(
  port: number,
  pid: number,
  label: string,
  mails = MAILS,
  pipelining = true,
): Promise<LoadRun> {
  await runSmtpLoad({
    pipelining,
    host: '127.0.0.1',
    port,
    connections: CONNECTIONS,
    mails: WARMUP_MAILS,
    maxSeconds: MAX_SECONDS,
    message: render,
  });
  const cpuBefore = cpuSecondsOf(pid);
  const result = await runSmtpLoad({
    pipelining,
    host: '127.0.0.1',
    port,
    connections: CONNECTIONS,
    mails,
    maxSeconds: MAX_SECONDS,
    message: (n) => render(n + WARMUP_MAILS),
    progressEvery: 5_000,
    onProgress: (n) => log(`  ${label}: ${n} mails`),
  });
  const cpuSeconds = cpuSecondsOf(pid) - cpuBefore;
  const run = {
    ...result,
    cpuSeconds,
    mailsPerCpuSecond: result.accepted / cpuSeconds,
    loadAverage: loadAverage(),
  };
  log(
    `  ${label}: ${result.accepted} accepted, ${result.refused} refused in ${result.seconds.toFixed(1)} s → ` +
      `${Math.round(result.rate)} mails/s; server CPU ${cpuSeconds.toFixed(1)} s → ` +
      `${Math.round(run.mailsPerCpuSecond)} mails per CPU second; load average ${run.loadAverage}` +
      `${result.firstError ? ` (first error: ${result.firstError})` : ''}`,
  );
  return run;
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startMailbeacon(dataDir: string, name: string, extra: string[] = []): Promise<ServeProcess> {
  const serve = await ServeProcess.start({
    dataDir,
    fromSource: !args.bundle,
    bundle: args.bundle,
    args: ['--max-messages', args['max-messages'], '--quiet', ...args['serve-arg'], ...extra],
    nodeArgs: args.prof
      ? ['--cpu-prof', '--cpu-prof-dir', args.prof, '--cpu-prof-name', `${name}.cpuprofile`]
      : [],
  });
  cleanup.push(() => serve.stop(STOP_TIMEOUT_MS));
  return serve;
}

async function stored(http: string): Promise<number> {
  const res = await fetch(`${http}/api/v1/info`);
  return ((await res.json()) as { Messages: number }).Messages;
}

/** The mean rate and mails per CPU second of some runs; undefined for none. */
function meanOf(runs: LoadRun[]): { rate: number; mailsPerCpuSecond: number } | undefined {
  if (runs.length === 0) return undefined;
  const mean = (pick: (r: LoadRun) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  return { rate: mean((r) => r.rate), mailsPerCpuSecond: mean((r) => r.mailsPerCpuSecond) };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

// ---------------------------------------------------------------- phases

interface Results {
  floor?: LoadRun;
  maildev: (LoadRun & { rssMb: number })[];
  empty: (LoadRun & {
    rssMb: number;
    peakMb: number;
    idleRssMb: number;
    infoMessages: number;
    exitCode: number | null;
  })[];
  inline?: LoadRun & { rssMb: number };
  full?: LoadRun & { storedBefore: number; rssMb: number; prefillSeconds: number };
  search?: { query: string; what: string; matches: number; runs: number; medianMs: number; p95Ms: number }[];
  stages?: StageCost[];
  /** The client that does not pipeline. */
  lockstep?: { floor: LoadRun; maildev: LoadRun; mailbeacon: LoadRun };
}
const results: Results = { maildev: [], empty: [] };

async function startFloor(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', DISCARD_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => stopChild(child));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`[bench] discard server exited with ${code}`)));
  });
  return { port, child };
}

async function floor(): Promise<void> {
  log('floor: bare smtp-server that discards');
  const { port, child } = await startFloor();
  results.floor = await load(port, child.pid!, 'floor');
  await stopChild(child);
}

async function startMaildev(): Promise<{ port: number; child: ChildProcess }> {
  const [smtp, web] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      MAILDEV_BIN,
      '--smtp',
      `${smtp}`,
      '--web',
      `${web}`,
      '--ip',
      '127.0.0.1',
      '--web-ip',
      '127.0.0.1',
      '--silent',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  cleanup.push(() => stopChild(child));
  await waitForPort(smtp, child);
  return { port: smtp, child };
}

async function maildev(): Promise<void> {
  log('MailDev 3 (in memory)');
  const { port: smtp, child } = await startMaildev();
  const result = await load(smtp, child.pid!, 'maildev');
  results.maildev.push({ ...result, rssMb: memoryOf(child.pid!).rssMb });
  await stopChild(child);
}

async function empty(): Promise<void> {
  log('Mailbeacon, empty store');
  const serve = await startMailbeacon(tempDir('mb-bench-smtp-empty-'), 'empty');
  const idle = memoryOf(serve.child.pid!).rssMb;
  const result = await load(serve.smtpPort, serve.child.pid!, 'mailbeacon (empty)');
  const memory = memoryOf(serve.child.pid!);
  const infoMessages = await stored(serve.http);
  const exit = await serve.stop(STOP_TIMEOUT_MS);
  results.empty.push({ ...result, ...memory, idleRssMb: idle, infoMessages, exitCode: exit.code });
}

/**
 * The same run with every mail parsed and tracked on the main thread: what the prepare workers buy. Skipped where
 * the default has no prepare worker for mails this small (two cores), since it would repeat the empty-store run.
 */
async function inline(): Promise<void> {
  if (defaultPrepareThreads() === 0 && !args['serve-arg'].some((a) => a.includes('ingest-threads'))) {
    log(
      'Mailbeacon, --ingest-threads 0: skipped, the default on this machine (no prepare worker for small mails)',
    );
    return;
  }
  log('Mailbeacon, empty store, --ingest-threads 0');
  const serve = await startMailbeacon(tempDir('mb-bench-smtp-inline-'), 'inline', ['--ingest-threads', '0']);
  const result = await load(serve.smtpPort, serve.child.pid!, 'mailbeacon (main thread only)');
  results.inline = { ...result, rssMb: memoryOf(serve.child.pid!).rssMb };
  await serve.stop(STOP_TIMEOUT_MS);
}

/** The client that does not pipeline, against the floor, MailDev and Mailbeacon's empty store in turn. */
async function lockstep(): Promise<void> {
  const mails = Number(args['lockstep-mails']);
  log(`a client that does not pipeline, ${mails} mails each`);
  const floorServer = await startFloor();
  const floorRun = await load(floorServer.port, floorServer.child.pid!, 'floor, no pipelining', mails, false);
  await stopChild(floorServer.child);
  const maildevServer = await startMaildev();
  const maildevRun = await load(
    maildevServer.port,
    maildevServer.child.pid!,
    'maildev, no pipelining',
    mails,
    false,
  );
  await stopChild(maildevServer.child);
  const serve = await startMailbeacon(tempDir('mb-bench-smtp-lockstep-'), 'lockstep');
  const mailbeaconRun = await load(
    serve.smtpPort,
    serve.child.pid!,
    'mailbeacon, no pipelining',
    mails,
    false,
  );
  await serve.stop(STOP_TIMEOUT_MS);
  results.lockstep = { floor: floorRun, maildev: maildevRun, mailbeacon: mailbeaconRun };
}

async function full(search: boolean): Promise<void> {
  log(`Mailbeacon with ${PREFILL} mails stored`);
  const dir = tempDir('mb-bench-smtp-full-');
  const started = performance.now();
  await prefillMailbox(dir, PREFILL, (n) => {
    if (n % 20_000 === 0) log(`  prefill: ${n}`);
  });
  const prefillSeconds = (performance.now() - started) / 1000;
  log(`  prefill: ${PREFILL} mails in ${prefillSeconds.toFixed(1)} s`);
  const serve = await startMailbeacon(dir, 'full');
  const storedBefore = await stored(serve.http);
  if (ONLY.has('full')) {
    const result = await load(serve.smtpPort, serve.child.pid!, `mailbeacon (${storedBefore} stored)`);
    results.full = { ...result, storedBefore, rssMb: memoryOf(serve.child.pid!).rssMb, prefillSeconds };
  }
  if (search) results.search = await searches(serve.http);
  await serve.stop(STOP_TIMEOUT_MS);
}

async function searches(http: string) {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const recent = day(Date.now() - 7 * 24 * 3600_000);
  const old = day(Date.now() - 30 * 24 * 3600_000);
  const queries: { query: string; what: string }[] = [
    { query: '', what: 'no query (first page of the list)' },
    { query: 'refund', what: 'one word (full text)' },
    { query: '"order 4242"', what: 'quoted phrase' },
    { query: 'voucher -newsletter', what: 'word and negated word' },
    { query: `from:billing@shop7.test`, what: `from: (1 in ${SENDERS})` },
    { query: 'to:user777@example.test', what: 'to: (one recipient)' },
    { query: 'subject:renewal', what: 'subject: (substring)' },
    { query: 'is:unread', what: `is:unread (${PREFILL_READ_EVERY - 1} in ${PREFILL_READ_EVERY})` },
    { query: 'has:attachment', what: `has:attachment (1 in ${PREFILL_ATTACHMENT_EVERY})` },
    { query: `after:${recent}`, what: 'after: (last 7 days)' },
    { query: `before:${old}`, what: 'before: (older than 30 days)' },
    { query: 'invoice from:shop0 is:unread', what: 'word + from: + is:unread' },
  ];
  log(
    `search over ${await stored(http)} mails (up to ${SEARCH_RUNS} runs each, prefill spacing ${PREFILL_SPACING_MS / 1000} s)`,
  );
  const out = [];
  for (const { query, what } of queries) {
    const url = query
      ? `${http}/api/v1/search?query=${encodeURIComponent(query)}`
      : `${http}/api/v1/messages`;
    const times: number[] = [];
    let matches = 0;
    const budgetEnd = performance.now() + SEARCH_BUDGET_MS;
    for (let i = 0; i < SEARCH_RUNS + SEARCH_WARMUP; i++) {
      if (i >= SEARCH_WARMUP + SEARCH_MIN_RUNS && performance.now() > budgetEnd) break;
      const t0 = performance.now();
      const res = await fetch(url);
      const body = (await res.json()) as { messages_count: number };
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`[bench] ${url} → ${res.status}`);
      matches = body.messages_count;
      if (i >= SEARCH_WARMUP) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const row = {
      query,
      what,
      matches,
      runs: times.length,
      medianMs: percentile(times, 50),
      p95Ms: percentile(times, 95),
    };
    log(
      `  ${what.padEnd(38)} ${String(matches).padStart(7)} matches  median ${row.medianMs.toFixed(1)} ms  p95 ${row.p95Ms.toFixed(1)} ms`,
    );
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- report

function report(): string {
  const lines: string[] = [];

  lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
  lines.push(
    `Mailbeacon ran from ${args.bundle ? 'the built bundle (out/main/cli.js)' : 'the sources through tsx'}`,
  );
  lines.push(
    `${MAILS} mails of ${render(0).length} bytes (5 KB HTML) over ${CONNECTIONS} connections, after ${WARMUP_MAILS} warm-up mails`,
  );
  lines.push(
    '',
    '| server | mails/s | accepted | refused | seconds | server CPU s | mails per CPU s | load avg |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const row = (name: string, r?: LoadRun) =>
    r &&
    lines.push(
      `| ${name} | ${Math.round(r.rate)} | ${r.accepted} | ${r.refused} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${Math.round(r.mailsPerCpuSecond)} | ${r.loadAverage} |`,
    );
  row('smtp-server, discarding (floor)', results.floor);
  const round = (i: number) => (ROUNDS > 1 ? ` (round ${i + 1})` : '');
  results.maildev.forEach((r, i) => row(`MailDev 3, in memory${round(i)}`, r));
  results.empty.forEach((r, i) => row(`Mailbeacon, durable, empty store${round(i)}`, r));
  row('Mailbeacon, same, all on the main thread (--ingest-threads 0)', results.inline);
  if (results.full) row(`Mailbeacon, durable, ${results.full.storedBefore} stored`, results.full);
  lines.push('');
  const { full: f } = results;
  const m = meanOf(results.maildev);
  const e = meanOf(results.empty);
  // The run that ended with the most memory in use: the target is a ceiling.
  const worst = results.empty.reduce<(typeof results.empty)[number] | undefined>(
    (a, b) => (a && a.rssMb >= b.rssMb ? a : b),
    undefined,
  );
  const over = ROUNDS > 1 ? ` (mean rates of ${ROUNDS} rounds in turn)` : '';
  if (e && m)
    lines.push(
      `Mailbeacon / MailDev: ${(e.rate / m.rate).toFixed(2)}× by rate, ${(e.mailsPerCpuSecond / m.mailsPerCpuSecond).toFixed(2)}× by CPU${over} (target ≥ 3×)`,
    );
  if (e) lines.push(`Mailbeacon durable rate: ${Math.round(e.rate)} mails/s${over} (target ≥ 1,000)`);
  if (worst)
    lines.push(
      `Mailbeacon RSS after ${worst.infoMessages} mails: ${worst.rssMb.toFixed(0)} MB (peak ${worst.peakMb.toFixed(0)} MB, ${worst.idleRssMb.toFixed(0)} MB idle before the first mail${ROUNDS > 1 ? '; the highest of the rounds' : ''}; target < 150 MB); clean exit code ${results.empty.map((r) => r.exitCode).join(', ')}`,
    );
  if (results.inline)
    lines.push(
      `Mailbeacon with --ingest-threads 0: RSS after ${results.inline.accepted + WARMUP_MAILS} mails ${results.inline.rssMb.toFixed(0)} MB`,
    );
  const lastMaildev = results.maildev.at(-1);
  if (lastMaildev)
    lines.push(
      `MailDev RSS after ${lastMaildev.accepted + WARMUP_MAILS} mails: ${lastMaildev.rssMb.toFixed(0)} MB`,
    );
  if (e && f)
    lines.push(
      `Rate with ${f.storedBefore} stored: ${Math.round(f.rate)} mails/s = ${((100 * f.rate) / e.rate).toFixed(0)}% of the empty-store rate, ${((100 * f.mailsPerCpuSecond) / e.mailsPerCpuSecond).toFixed(0)}% by CPU (target ≥ 80%); RSS ${f.rssMb.toFixed(0)} MB; prefill took ${f.prefillSeconds.toFixed(0)} s`,
    );
  const ls = results.lockstep;
  if (ls) {
    lines.push(
      '',
      `A client that does not pipeline (one command, one reply), ${CONNECTIONS} connections:`,
      '',
      '| server | mails/s | accepted | refused | seconds | server CPU s | mails per CPU s | load avg |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    row('smtp-server, discarding (floor)', ls.floor);
    row('MailDev 3, in memory', ls.maildev);
    row('Mailbeacon, durable, empty store', ls.mailbeacon);
    lines.push(
      '',
      `Without pipelining: Mailbeacon / MailDev ${(ls.mailbeacon.rate / ls.maildev.rate).toFixed(2)}× by rate, ${(ls.mailbeacon.mailsPerCpuSecond / ls.maildev.mailsPerCpuSecond).toFixed(2)}× by CPU; Mailbeacon / bare smtp-server ${(ls.mailbeacon.rate / ls.floor.rate).toFixed(2)}× by rate`,
    );
  }
  if (results.stages) {
    lines.push('', '| stage (in-process) | CPU ms per mail |', '| --- | ---: |');
    for (const st of results.stages) lines.push(`| ${st.stage} | ${st.cpuMsPerMail.toFixed(3)} |`);
    if (e)
      lines.push(
        `| served over SMTP (\`serve\`, whole process) | ${(1000 / e.mailsPerCpuSecond).toFixed(3)} |`,
      );
  }
  if (results.search) {
    lines.push(
      '',
      '| query | what | matches | runs | median ms | p95 ms |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
    );
    for (const s of results.search)
      lines.push(
        `| \`${s.query || '(list)'}\` | ${s.what} | ${s.matches} | ${s.runs} | ${s.medianMs.toFixed(1)} | ${s.p95Ms.toFixed(1)} |`,
      );
  }
  return lines.join('\n');
}

try {
  if (ONLY.has('floor')) await floor();
  for (let i = 0; i < ROUNDS; i++) {
    if (ONLY.has('maildev')) await maildev();
    if (ONLY.has('empty')) await empty();
  }
  if (ONLY.has('inline')) await inline();
  if (ONLY.has('lockstep')) await lockstep();
  if (ONLY.has('full') || ONLY.has('search')) await full(ONLY.has('search'));
  if (ONLY.has('stages')) {
    log('ingest stages, in-process');
    results.stages = await measureStages(render);
    for (const st of results.stages) log(`  ${st.stage}: ${st.cpuMsPerMail.toFixed(3)} ms CPU per mail`);
  }
  process.stdout.write(`\n${report()}\n`);
  process.stdout.write(`\n${JSON.stringify(results)}\n`);
} finally {
  for (const fn of cleanup.splice(0).reverse()) await fn();
}
