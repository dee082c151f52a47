/**
 * Tracking benchmark (`npm run bench:tracking`):
 *  1. wrk against GET /o and GET /c of the TrackingServer, side by side with a bare node:http server answering the
 *     same PNG, counting the events stored against the requests wrk completed;
 *  2. latency at a fixed 2,000 requests/s (wrk has no rate flag): a bounded Node load generator with a keep-alive
 *     agent, latency measured from each request's scheduled start so a stall is not hidden (coordinated omission);
 *  3. injection alone: 10 KB HTML mails through TrackingInjector on one core.
 *
 *  4. the same wrk runs against the whole `mailbeacon serve` (the built bundle when there is one), where every event
 *     is also published on the hub and kept in its history, beside the bare server again.
 *
 *   tsx bench/tracking.ts [--seconds 10] [--connections 50] [--rate 2000] [--rate-seconds 10] [--rounds 3]
 *                         [--only wrk,rate,inject,serve]
 *                         [--wal-autocheckpoint PAGES]   (checkpoints inside commits, every PAGES pages,
 *                                                          instead of the Sandbox's checkpoint thread)
 *
 * The servers run in a child process (this file with --server) so that the load generators' CPU time does not
 * show up as server latency. Events go to a file-backed SQLite database in WAL mode, as in a real data dir.
 */
import { injectorFrom } from '../src-main/ingest/injector-settings.js';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EventBus } from '../src-main/events/bus.js';
import { createLogger, systemClock } from '../src-main/logger.js';
import { openDatabase } from '../src-main/store/sqlite/database.js';
import { WalCheckpointer } from '../src-main/store/sqlite/checkpointer.js';
import { CommitQueue } from '../src-main/store/sqlite/commit-queue.js';
import { SqliteEventStore } from '../src-main/store/sqlite/events.js';
import { mailReaders } from '../src-main/ingest/service.js';
import { SqliteMessageStore } from '../src-main/store/sqlite/messages.js';
import { encodeQuotedPrintable } from '../src-main/mime/transfer.js';
import { TokenCodec, generateKey, mintUrl } from '../src-main/tracking/index.js';
import { PIXEL_PNG } from '../src-main/tracking/pixel.js';
import { HitRecorder } from '../src-main/tracking/hits.js';
import { TrackingServer } from '../src-main/tracking/server.js';
import { TrackingThread, defaultTrackingThread } from '../src-main/tracking/thread.js';
import { codecFromSettings } from '../src-main/tracking/setup.js';
import { spawner } from '../src-main/workers/index.js';
import { ServeProcess } from './lib/serve-process.js';

/** CPU microseconds (user + system, every thread) a process has used so far (Linux: 100 clock ticks a second). */
function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const SELF = fileURLToPath(import.meta.url);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const ROOT = join(dirname(SELF), '..');
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

/** Every wait is bounded; a step slower than this fails the run instead of hanging it. */
const STEP_TIMEOUT_MS = 120_000;
/** A request at the fixed rate that takes longer than this counts as an error. */
const REQUEST_TIMEOUT_MS = 5_000;
/** The injection bench: mails of at least this many bytes of HTML. */
const HTML_BYTES = 10 * 1024;
/** Fixed-rate runs start after this long at the same rate, so JIT and connection set-up are not measured. */
const WARMUP_SECONDS = 2;

// ---------------------------------------------------------------- server process

async function runServer(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-tracking-'));
  const dbPath = join(dir, 'mailbeacon.db');
  const db = openDatabase({ path: dbPath });
  // As in the Sandbox: WAL checkpoints on a worker thread (its CPU time counts: process.cpuUsage covers every
  // thread). --wal-autocheckpoint instead leaves them to SQLite, inside the commits on the event loop.
  const checkpointer = new WalCheckpointer(db, createLogger('error'), {
    path: dbPath,
    spawn: spawner('checkpoint-worker'),
  });
  const autocheckpoint = process.env.MB_BENCH_WAL_AUTOCHECKPOINT;
  if (autocheckpoint) db.pragma(`wal_autocheckpoint = ${Number(autocheckpoint)}`);
  else checkpointer.start();
  // The Sandbox's lookup of a mail's delivery time (a click within 2 s of it is a scanner), a query per click.
  const sharedCommit = new CommitQueue(db);
  // Commit times, to tell the store's stalls (WAL checkpoints) from the HTTP path's.
  const events = new SqliteEventStore(db, sharedCommit);
  const messages = new SqliteMessageStore(db, { commits: sharedCommit, events, ...mailReaders });
  const bus = new EventBus();
  let emitted = 0;
  bus.on('tracking.event', () => emitted++);
  const commits: number[] = [];
  const recordMany = events.recordMany.bind(events);
  events.recordMany = (batch) => {
    const start = performance.now();
    try {
      return recordMany(batch);
    } finally {
      commits.push(performance.now() - start);
    }
  };
  // Both listeners a Sandbox can run, storing through the same recorder: on a thread of their own (the default
  // with three or more cores) and on the thread that owns the database (--tracking-thread no).
  const logger = createLogger('error');
  const sink = new HitRecorder({ events, bus, logger, deliveredAt: (id) => messages.createdAt(id) });
  const keys = [generateKey()];
  const codec = new TokenCodec({ mode: 'sealed', keys });
  const here = new TrackingServer({ codec, sink, logger, clock: systemClock, allowHosts: [] });
  const thread = new TrackingThread({
    mode: 'sealed',
    keys,
    allowHosts: [],
    sink,
    logger,
    inline: () => {
      throw new Error('[bench] the tracking thread did not start');
    },
    spawn: (workerData) => spawner('tracking-worker')({ workerData }),
  });
  const onThread = `http://127.0.0.1:${(await thread.listen('127.0.0.1', 0)).port}`;
  const onMain = `http://127.0.0.1:${(await here.listen('127.0.0.1', 0)).port}`;
  const bare = createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'image/png',
      'Content-Length': String(PIXEL_PNG.length),
      'Cache-Control': 'no-store, no-cache, must-revalidate, max-age=0',
    });
    res.end(PIXEL_PNG);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const metadata = { message_id: 'bench-message-0001', recipient: 'reader@example.org' };
  const open = mintUrl('', 'open', codec, { metadata });
  const click = mintUrl('', 'click', codec, {
    url: 'https://example.com/landing?utm_source=mail',
    metadata: { ...metadata, link: '1' },
  });
  process.send!({
    type: 'ready',
    dbPath,
    open: onThread + open,
    click: onThread + click,
    openOnMain: onMain + open,
    clickOnMain: onMain + click,
    bare: `http://127.0.0.1:${(bare.address() as AddressInfo).port}/o`,
  });
  process.on('message', async (msg: { cmd: string }) => {
    if (msg.cmd === 'count') {
      const n = db.prepare('SELECT COUNT(*) FROM events').pluck().get() as number;
      const sorted = commits.splice(0).sort((a, b) => a - b);
      const slowCommits = sorted.filter((ms) => ms > 10).length;
      const cpu = process.cpuUsage();
      process.send!({
        type: 'count',
        events: n,
        emitted,
        commits: sorted.length,
        slowCommits,
        maxCommitMs: sorted.at(-1) ?? 0,
        cpuMicros: cpu.user + cpu.system,
        mainBusyMs: performance.eventLoopUtilization().active,
        threadBusyMs: thread.busyMs ?? 0,
      });
    } else if (msg.cmd === 'stop') {
      await thread.close();
      await here.close();
      await sink.flush();
      bare.closeAllConnections();
      bare.close();
      await checkpointer.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- orchestration

interface Ready {
  dbPath: string;
  /** The listener on a thread of its own (the default with three or more cores). */
  open: string;
  click: string;
  /** The listener on the thread that owns the database (`--tracking-thread no`). */
  openOnMain: string;
  clickOnMain: string;
  bare: string;
}

function ask<T>(child: ChildProcess, cmd: string, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`[bench] no ${type} from the server`)), STEP_TIMEOUT_MS);
    const onMessage = (msg: { type: string }) => {
      if (msg.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(msg as T);
    };
    child.on('message', onMessage);
    if (cmd) child.send({ cmd });
  });
}

interface Counts {
  events: number;
  /** CPU time the server process has used so far (user + system). */
  cpuMicros: number;
  /** How long the server's main thread and the tracking thread have been busy so far (event-loop utilization). */
  mainBusyMs: number;
  threadBusyMs: number;
  commits: number;
  slowCommits: number;
  maxCommitMs: number;
}

async function countEvents(child: ChildProcess): Promise<number> {
  return (await counts(child)).events;
}

function counts(child: ChildProcess): Promise<Counts> {
  return ask<Counts>(child, 'count', 'count');
}

interface WrkResult {
  requests: number;
  rps: number;
  p50: string;
  p99: string;
  errors: string;
}

function wrk(url: string, seconds: number, connections: number): WrkResult {
  const out = execFileSync(
    'wrk',
    ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `User-Agent: ${UA}`, url],
    {
      encoding: 'utf8',
      timeout: (seconds + 30) * 1000,
    },
  );
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '?';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '?';
  const errors = [/Socket errors:[^\n]*/.exec(out)?.[0], /Non-2xx or 3xx responses: \d+/.exec(out)?.[0]]
    .filter(Boolean)
    .join('; ');
  return { requests, rps, p50, p99, errors: errors || 'none' };
}

/** `count` requests at `rate`/s, each latency measured from its scheduled start. */
async function fixedRate(url: string, rate: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const target = new URL(url);
  const total = rate * seconds;
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const one = (scheduled: number) =>
    new Promise<void>((resolve) => {
      // late requests are timed from when they should have gone out; one sent a little early (timer
      // granularity) from when it actually went
      const from = Math.min(scheduled, performance.now());
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          agent,
          headers: { 'user-agent': UA },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200 && res.statusCode !== 302) errors++;
            latencies.push(performance.now() - from);
            resolve();
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(one(scheduled));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    sent: total,
    completed: latencies.length,
    errors,
    achieved: total / elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? NaN,
  };
}

function injectionBench(seconds: number) {
  const template = readFileSync(join(ROOT, 'test/fixtures/html/leemunroe/email-inlined.html'), 'utf8');
  let extra = '';
  for (let i = 0; template.length + extra.length < HTML_BYTES; i++) {
    extra += `<p style="margin:0 0 12px">Item ${i}: <a href="https://example.com/products/${i}?utm_source=mail&amp;utm_campaign=bench">see product ${i}</a> or <a href="mailto:shop@example.com">ask us</a>.</p>\n`;
  }
  const html = template.replace('</body>', `${extra}</body>`);
  const raw = Buffer.from(
    'From: Shop <shop@example.com>\r\nTo: reader@example.org\r\nSubject: Bench\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      'Plain version.\r\n--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
      `${encodeQuotedPrintable(Buffer.from(html.replace(/\r?\n/g, '\r\n')), '\r\n')}\r\n--b1--\r\n`,
    'latin1',
  );
  const injector = injectorFrom(
    { enabled: true, trackText: false, rules: [], tokenMode: 'sealed', keys: [generateKey()] },
    () => 'http://127.0.0.1:8026',
  );
  const ctx = {
    messageId: 'bench',
    sender: 'shop@example.com',
    recipients: ['reader@example.org'],
    subject: 'Bench',
  };
  const probe = injector.injectSync(raw, ctx);
  for (let i = 0; i < 200; i++) injector.injectSync(raw, ctx); // warm-up
  let mails = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) injector.injectSync(raw, ctx);
    mails += 50;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return {
    perCpuSecond: mails / ((cpu.user + cpu.system) / 1e6),
    htmlBytes: Buffer.byteLength(html),
    mailBytes: raw.length,
    links: probe.manifest.links.length,
    mails,
    perSecond: mails / elapsed,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      rate: { type: 'string', default: '2000' },
      // The fixed-rate runs keep their own length when --seconds shortens the rest: their p99 is the 100th slowest
      // of rate × seconds requests, and at 5 s one 50 ms stall of the machine decides it.
      'rate-seconds': { type: 'string', default: '10' },
      only: { type: 'string' },
      'wal-autocheckpoint': { type: 'string' },
      rounds: { type: 'string', default: '3' },
    },
  });
  if (values['wal-autocheckpoint']) process.env.MB_BENCH_WAL_AUTOCHECKPOINT = values['wal-autocheckpoint'];
  const phases = values.only ? values.only.split(',') : ['wrk', 'rate', 'inject', 'serve'];
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const rate = Number(values.rate);
  const rateSeconds = Number(values['rate-seconds']);
  const rounds = Math.max(1, Number(values.rounds));
  console.log(`# tracking bench: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, Node ${process.version}`);

  const startServer = async () => {
    const child = fork(SELF, ['--server'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return { child, ready: await ask<Ready>(child, '', 'ready') };
  };
  const stopServer = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.send({ cmd: 'stop' });
    });
  const targets = (ready: Ready) =>
    [
      ['bare node:http', ready.bare],
      ['GET /o', ready.open],
      ['GET /c', ready.click],
      ['GET /o, main thread', ready.openOnMain],
      ['GET /c, main thread', ready.clickOnMain],
    ] as const;

  if (phases.includes('wrk')) await wrkPhase();
  if (phases.includes('rate')) await ratePhase();
  if (phases.includes('inject')) injectPhase();
  if (phases.includes('serve')) await servePhase();

  async function wrkPhase() {
    console.log(
      `\n## wrk, ${seconds}s per run, ${connections} connections, keep-alive, ${rounds} rounds (bare, /o, /c, then /o and /c on the main thread, in turn)`,
    );
    console.log(
      '| round | target | requests | req/s | p50 | p99 | server CPU µs/request | busy µs/request: main / tracking thread | events stored | events per commit | errors |',
    );
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    // The machine's speed drifts over minutes (shared hosts): each round measures the bare server and both
    // endpoints back to back, and each round's ratio compares runs seconds apart; the median ratio is the figure.
    // `busy`: the bare server's busy time per request over that of the busiest thread, i.e. the share of the bare
    // server's rate the placement reaches when each of its threads has a core of its own (wrk and the other thread
    // share the two cores here, so requests/s also says how much CPU is left over).
    const ratios: Record<string, { rps: number[]; cpu: number[]; busy: number[] }> = {};
    const server = await startServer();
    try {
      for (let round = 1; round <= rounds; round++) {
        const rows: Record<string, WrkResult & { cpu: number; busiest: number }> = {};
        for (const [name, url] of targets(server.ready)) {
          const before = await counts(server.child);
          const r = wrk(url, seconds, connections);
          const after = await counts(server.child);
          const stored = after.events - before.events;
          // requests still in flight when wrk stops are served (and stored) but not counted by wrk
          const cpu = (after.cpuMicros - before.cpuMicros) / Math.max(r.requests, 1);
          const perRequest = (ms: number) => (ms * 1000) / Math.max(r.requests, 1);
          const main = perRequest(after.mainBusyMs - before.mainBusyMs);
          const thread = perRequest(after.threadBusyMs - before.threadBusyMs);
          rows[name] = { ...r, cpu, busiest: Math.max(main, thread) };
          console.log(
            `| ${round} | ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${cpu.toFixed(1)} | ${main.toFixed(1)} / ${thread.toFixed(1)} | ${name === 'bare node:http' ? '– | –' : `${stored} | ${(stored / Math.max(after.commits, 1)).toFixed(1)}`} | ${r.errors} |`,
          );
          if (name !== 'bare node:http' && stored < r.requests)
            console.log(`  ! ${r.requests - stored} completed requests without an event`);
        }
        const bare = rows['bare node:http']!;
        for (const [name] of targets(server.ready).slice(1)) {
          const ratio = (ratios[name] ??= { rps: [], cpu: [], busy: [] });
          ratio.rps.push(rows[name]!.rps / bare.rps);
          ratio.cpu.push(bare.cpu / rows[name]!.cpu);
          ratio.busy.push(bare.busiest / rows[name]!.busiest);
        }
      }
    } finally {
      await stopServer(server.child);
    }
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    const onMainByDefault = !defaultTrackingThread();
    for (const [name, r] of Object.entries(ratios)) {
      const isDefault = name.endsWith(', main thread') === onMainByDefault;
      console.log(
        `${name}${isDefault ? ` (the default with ${availableParallelism()} cores)` : ''}: ${pct(median(r.rps))} of the bare server's requests/s (median of ${rounds} rounds: ${r.rps.map(pct).join(', ')}); ${pct(median(r.cpu))} by server CPU per request (${r.cpu.map(pct).join(', ')}); ${pct(median(r.busy))} by the busiest thread's time per request (${r.busy.map(pct).join(', ')})`,
      );
    }
  }

  async function ratePhase() {
    console.log(
      `\n## fixed rate ${rate} req/s for ${rateSeconds}s after ${WARMUP_SECONDS}s warm-up (latency from scheduled start; fresh server and database)`,
    );
    console.log(
      '| target | sent | completed | errors | achieved req/s | p50 ms | p99 ms | max ms | events stored | commits | commits > 10 ms | slowest commit ms |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const server = await startServer();
    try {
      for (const [name, url] of targets(server.ready)) {
        await fixedRate(url, rate, WARMUP_SECONDS);
        const before = await countEvents(server.child);
        const r = await fixedRate(url, rate, rateSeconds);
        const after = await counts(server.child);
        const stored = after.events - before;
        const store =
          name === 'bare node:http'
            ? '– | – | – | –'
            : `${stored} | ${after.commits} | ${after.slowCommits} | ${after.maxCommitMs.toFixed(1)}`;
        console.log(
          `| ${name} | ${r.sent} | ${r.completed} | ${r.errors} | ${r.achieved.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${store} |`,
        );
      }
    } finally {
      await stopServer(server.child);
    }
  }

  /** The product as a user runs it: tracking server, event store, hub publisher and history, all in one process. */
  async function servePhase() {
    const bundle = existsSync(join(ROOT, 'out', 'main', 'cli.js'));
    console.log(
      `\n## the whole \`mailbeacon serve\` (${bundle ? 'built bundle' : 'sources'}; its default placement with ${availableParallelism()} cores: the tracking listener on ${defaultTrackingThread() ? 'a thread of its own' : 'the main thread'}), wrk ${seconds}s per run, ${connections} connections, ${rounds} rounds`,
    );
    console.log(
      '| round | target | requests | req/s | p50 | p99 | server CPU µs/request | events stored | errors |',
    );
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    const dataDir = mkdtempSync(join(tmpdir(), 'mb-bench-tracking-serve-'));
    const server = await startServer();
    const serve = await ServeProcess.start({ dataDir, bundle, fromSource: !bundle, args: ['--quiet'] });
    try {
      const { codec } = codecFromSettings({ dataDir, tokenMode: 'sealed', trackingKey: [] });
      const metadata = { message_id: 'bench', recipient: 'reader@example.org' };
      // A fresh connection each time: a kept-alive one may have timed out on the server during a wrk run.
      const events = () =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${serve.http}/api/v1/events?limit=1`, { agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve((JSON.parse(body) as { total: number }).total));
          });
          req.on('error', reject);
          req.end();
        });
      const rows: [string, string][] = [
        ['bare node:http', server.ready.bare],
        ['GET /o (serve)', mintUrl(serve.trackingUrl, 'open', codec, { metadata })],
        [
          'GET /c (serve)',
          mintUrl(serve.trackingUrl, 'click', codec, { metadata, url: 'https://example.org/' }),
        ],
      ];
      const ratios: Record<string, number[]> = { 'GET /o (serve)': [], 'GET /c (serve)': [] };
      for (let round = 1; round <= rounds; round++) {
        let bareRps = 0;
        for (const [name, url] of rows) {
          const bare = name === 'bare node:http';
          const pid = bare ? server.child.pid! : serve.child.pid!;
          const [eventsBefore, cpuBefore] = [bare ? 0 : await events(), cpuMicrosOf(pid)];
          const r = wrk(url, seconds, connections);
          const cpu = (cpuMicrosOf(pid) - cpuBefore) / Math.max(r.requests, 1);
          const stored = bare ? 0 : (await events()) - eventsBefore;
          if (bare) bareRps = r.rps;
          else ratios[name]!.push(r.rps / bareRps);
          console.log(
            `| ${round} | ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${cpu.toFixed(1)} | ${bare ? '–' : stored} | ${r.errors} |`,
          );
        }
      }
      const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
      for (const [name, r] of Object.entries(ratios)) {
        console.log(
          `${name}: ${pct(median(r))} of the bare server's requests/s (median of ${rounds} rounds: ${r.map(pct).join(', ')})`,
        );
      }
    } finally {
      await serve.stop(10_000);
      await stopServer(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  function injectPhase() {
    console.log(`\n## injection, one core, ${seconds}s`);
    const inj = injectionBench(seconds);
    console.log(
      `${inj.mails} mails in ${seconds}s: ${inj.perSecond.toFixed(0)} mails/s by the clock, ${inj.perCpuSecond.toFixed(0)} per CPU-second (HTML ${inj.htmlBytes} bytes, mail ${inj.mailBytes} bytes, ${inj.links} tracked links, sealed tokens, quoted-printable)`,
    );
  }
}

if (process.argv.includes('--server')) {
  void runServer();
} else {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  });
}
