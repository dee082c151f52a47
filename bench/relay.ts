/**
 * Relay benchmark (`npm run bench:relay`): 5,000 mails caught over SMTP and auto-relayed to Postfix's smtp-sink.
 *
 *   tsx bench/relay.ts [--mails 5000] [--connections 10] [--warmup 300] [--rounds 3] [--only alone|relaying|drain]
 *
 * Phases in one run, each on a fresh file-backed data dir (WAL, as a real one); alone and relaying alternate (and
 * swap order every round) and medians are reported, so that other load on the machine hits both sides alike:
 *  - ingest alone: a Sandbox without relay; the ingest rate is mails / time from the first send to the last 250;
 *  - ingest while relaying: the same Sandbox plus the relay worker (--relay-all to smtp-sink) attached to its ingest;
 *    the ingest rate is measured the same way, the end-to-end rate is mails / time from the first send until the
 *    outbox has recorded every mail as sent (the upstream's 250 committed);
 *  - drain: the same with the worker stopped while mails arrive, then started: the relay's own rate on a backlog.
 * The relay sends through nodemailer's SMTPPool (SmtpPoolUpstream in src-main/relay/upstream.ts), as in production.
 * The SMTP client runs in a child process (this file with --send) so that its CPU time is not charged to ingest.
 * Each phase starts with a warm-up batch that is not measured (JIT, connection pools, SQLite page cache).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { loadSettings } from '../src-main/config/load.js';
import { createLogger } from '../src-main/logger.js';
import { createRelay, type RelayWorker } from '../src-main/relay/index.js';
import { Sandbox } from '../src-main/sandbox.js';

const SELF = fileURLToPath(import.meta.url);
/** Every wait is bounded; a phase slower than this fails the run instead of hanging it. */
const PHASE_TIMEOUT_MS = 300_000;
/** A typical transactional mail: about 6 KB of HTML with a handful of links (tracked, so the relay sends more). */
const HTML = `<html><body><h1>Your order</h1>${Array.from(
  { length: 8 },
  (_, i) =>
    `<p>Item ${i}: ${'lorem ipsum dolor sit amet '.repeat(25)} <a href="https://shop.example/item/${i}">view</a></p>`,
).join('')}</body></html>`;

// ---------------------------------------------------------------- sender process

async function runSender(port: number, mails: number, connections: number, tag: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
  });
  // Wall-clock based, so that the driver can compare it with its own clock (process start-up is not counted).
  const startedAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < mails) {
      const i = next++;
      await transport.sendMail({
        from: 'shop@sender.test',
        to: `customer${i}@example.test`,
        subject: `Order ${tag}-${i}`,
        messageId: `<bench-${tag}-${i}@sender.test>`,
        text: 'Your order',
        html: HTML,
      });
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  transport.close();
  process.send!({ elapsedMs, startedAt });
}

// ---------------------------------------------------------------- driver

/** The main thread's stat file (its thread id is the process id); Linux only. */
const MAIN_THREAD_STAT = `/proc/self/task/${process.pid}/stat`;
const CLOCK_TICKS_PER_SEC = existsSync(MAIN_THREAD_STAT)
  ? Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  : 0;

/**
 * CPU time (user + system, ms) the main thread alone has used: the thread that runs SMTP, the commits and the relay
 * worker, so the one whose time ingest competes for. Resolution is one clock tick (10 ms); null off Linux.
 */
function mainThreadCpuMs(): number | null {
  if (!CLOCK_TICKS_PER_SEC) return null;
  const stat = readFileSync(MAIN_THREAD_STAT, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
}

/** CPU per mail since `since`: the whole process (every thread) and the main thread alone. */
interface CpuMark {
  process: NodeJS.CpuUsage;
  main: number | null;
}
const cpuMark = (): CpuMark => ({ process: process.cpuUsage(), main: mainThreadCpuMs() });
function cpuPerMail(since: CpuMark, mails: number): { all: number; system: number; main: number | null } {
  const used = process.cpuUsage(since.process);
  const main = mainThreadCpuMs();
  return {
    all: (used.user + used.system) / 1000 / mails,
    system: used.system / 1000 / mails,
    main: main === null || since.main === null ? null : (main - since.main) / mails,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function startSink(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1000'];
  const child = spawn('smtp-sink', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  // smtp-sink has no readiness signal: wait until its port accepts connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
      socket.verify().then(
        () => resolve(true),
        () => resolve(false),
      );
    });
    if (ok) return { port, child };
    if (Date.now() > deadline) throw new Error('smtp-sink did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function send(
  smtpPort: number,
  mails: number,
  connections: number,
  tag: string,
): Promise<{ elapsedMs: number; startedAt: number }> {
  const child = fork(SELF, ['--send', String(smtpPort), String(mails), String(connections), tag], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<{ elapsedMs: number; startedAt: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('sender timed out'));
    }, PHASE_TIMEOUT_MS);
    child.once('message', (m: { elapsedMs: number; startedAt: number }) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      if (code) reject(new Error(`sender exited with ${code}`));
    });
  });
}

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + PHASE_TIMEOUT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface PhaseResult {
  ingestPerSec: number;
  endToEndPerSec?: number;
  ingestMs: number;
  endToEndMs?: number;
  /** Mails caught but not yet relayed when the last 250 was given. */
  backlogAtIngestEnd?: number;
  /** How fast that backlog drained once nothing else was going on: the relay's own rate. */
  drainPerSec?: number;
  /**
   * CPU time (user + system) of the Mailbeacon process per mail, from the first send until the last mail was stored
   * (alone) or relayed (relaying). Unlike rates it hardly moves with other load on the machine.
   */
  cpuMsPerMail?: number;
  /** The kernel's part of it (system time): sockets, the WAL's writes. */
  systemCpuMsPerMail?: number;
  /** The same for the main thread alone (null where it cannot be read). */
  mainCpuMsPerMail?: number | null;
  /** The same for the relay worker alone, while it drains the backlog. */
  drainCpuMsPerMail?: number;
  drainMainCpuMsPerMail?: number | null;
}

type Mode = 'alone' | 'relaying' | 'drain';

async function phase(
  opts: { relayPort: number; mails: number; connections: number; warmup: number },
  mode: Mode,
  name: string,
): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-relay-'));
  const settings = loadSettings(
    { smtp: '127.0.0.1:0', http: '127.0.0.1:0', tracking: '127.0.0.1:0', dataDir: dir, maxMessages: '0' },
    {},
  );
  const logger = createLogger('warn');
  const sandbox = new Sandbox(settings, { logger });
  let relay: RelayWorker | null = null;
  let sentCount = 0;
  try {
    const addresses = await sandbox.start();
    const smtpPort = Number(addresses.smtp.split(':').at(-1));
    if (mode !== 'alone') {
      const relaySettings = loadSettings(
        { dataDir: dir, relay: `smtp://127.0.0.1:${opts.relayPort}`, relayAll: true },
        {},
      );
      relay = createRelay(relaySettings, {
        outbox: sandbox.storage.relayOutbox,
        store: sandbox.store,
        bus: sandbox.bus,
        logger: logger.child('relay'),
        clock: sandbox.clock,
      })!;
      relay.attach(sandbox.store);
      // Counted from the status updates rather than polled from the table (a count over the outbox is a scan).
      sandbox.bus.on('relay.status', (entry) => {
        if (entry.status === 'sent') sentCount++;
      });
      relay.start();
    }
    const sent = () => sentCount;
    if (opts.warmup) {
      await send(smtpPort, opts.warmup, opts.connections, `${name}-warm`);
      if (relay) await waitUntil(() => sent() === opts.warmup);
    }
    // drain: the outbox fills while the worker is stopped, then the worker alone empties it.
    if (mode === 'drain') await relay!.stop();
    const cpuStart = cpuMark();
    const { elapsedMs: ingestMs, startedAt } = await send(smtpPort, opts.mails, opts.connections, name);
    const result: PhaseResult = { ingestMs, ingestPerSec: (opts.mails / ingestMs) * 1000 };
    if (relay) {
      const backlog = opts.warmup + opts.mails - sent();
      const drainStart = performance.now();
      const drainCpu = cpuMark();
      if (mode === 'drain') relay.start();
      await waitUntil(() => sent() === opts.warmup + opts.mails);
      if (mode === 'drain') {
        const used = cpuPerMail(drainCpu, backlog);
        result.drainCpuMsPerMail = used.all;
        result.drainMainCpuMsPerMail = used.main;
      }
      result.endToEndMs = performance.timeOrigin + performance.now() - startedAt;
      result.endToEndPerSec = (opts.mails / result.endToEndMs) * 1000;
      result.backlogAtIngestEnd = backlog;
      result.drainPerSec = (backlog / (performance.now() - drainStart)) * 1000;
      const { dead, failed } = await relay.outbox.counts();
      if (dead || failed) throw new Error(`${dead} dead and ${failed} failed relay entries`);
    }
    const used = cpuPerMail(cpuStart, opts.mails);
    result.cpuMsPerMail = used.all;
    result.systemCpuMsPerMail = used.system;
    result.mainCpuMsPerMail = used.main;
    return result;
  } finally {
    await relay?.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const MODES: readonly Mode[] = ['alone', 'relaying', 'drain'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      send: { type: 'boolean', default: false },
      mails: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
    },
    allowPositionals: true,
    strict: false,
  });
  if (values.send) {
    const [port, mails, connections, tag] = process.argv.slice(process.argv.indexOf('--send') + 1);
    await runSender(Number(port), Number(mails), Number(connections), tag!);
    return;
  }
  execFileSync('sh', ['-c', 'command -v smtp-sink'], { stdio: 'ignore' });
  const opts = {
    mails: Number(values.mails),
    connections: Number(values.connections),
    warmup: Number(values.warmup),
    rounds: Number(values.rounds),
  };
  const only = values.only as Mode | undefined;
  if (only !== undefined && !MODES.includes(only)) throw new Error(`--only takes one of ${MODES.join(', ')}`);
  const sink = await startSink();
  try {
    // --only: that phase alone, `rounds` times, for a profiler (node --cpu-prof --import tsx bench/relay.ts --only …).
    if (only) {
      for (let round = 0; round < opts.rounds; round++) {
        const r = await phase({ ...opts, relayPort: sink.port }, only, `${only}${round}`);
        console.log(JSON.stringify(r));
      }
      return;
    }
    // Alternating rounds, so that a change in machine load during the run hits both sides alike.
    const alone: PhaseResult[] = [];
    const relaying: PhaseResult[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const order: Mode[] = round % 2 ? ['relaying', 'alone'] : ['alone', 'relaying'];
      for (const mode of order) {
        const result = await phase({ ...opts, relayPort: sink.port }, mode, `${mode}${round}`);
        (mode === 'alone' ? alone : relaying).push(result);
      }
    }
    const drain = await phase({ ...opts, relayPort: sink.port }, 'drain', 'drain');
    const aloneRate = median(alone.map((r) => r.ingestPerSec));
    const relayingRate = median(relaying.map((r) => r.ingestPerSec));
    const endToEnd = median(relaying.map((r) => r.endToEndPerSec!));
    const cost = 1 - relayingRate / aloneRate;
    const fmt = (n: number) => n.toFixed(0).padStart(7);
    const each = (rs: PhaseResult[], pick: (r: PhaseResult) => number) =>
      rs.map((r) => pick(r).toFixed(0)).join(', ');
    console.log(
      `mails: ${opts.mails} per phase (+${opts.warmup} warm-up), client connections: ${opts.connections}, rounds: ${opts.rounds}; medians`,
    );
    console.log(
      `ingest alone           ${fmt(aloneRate)} mails/s  (rounds: ${each(alone, (r) => r.ingestPerSec)})`,
    );
    console.log(
      `ingest while relaying  ${fmt(relayingRate)} mails/s  (rounds: ${each(relaying, (r) => r.ingestPerSec)})`,
    );
    console.log(
      `end to end (relayed)   ${fmt(endToEnd)} mails/s  (rounds: ${each(relaying, (r) => r.endToEndPerSec!)})`,
    );
    console.log(
      `relay alone (drain)    ${fmt(drain.drainPerSec!)} mails/s  (${drain.backlogAtIngestEnd} queued mails)`,
    );
    const ms = (n: number | null | undefined) => (typeof n === 'number' ? `${n.toFixed(2)} ms` : 'n/a');
    const cpuAlone = median(alone.map((r) => r.cpuMsPerMail!));
    const cpuRelaying = median(relaying.map((r) => r.cpuMsPerMail!));
    const mainOf = (rs: PhaseResult[]) =>
      rs.every((r) => typeof r.mainCpuMsPerMail === 'number')
        ? median(rs.map((r) => r.mainCpuMsPerMail!))
        : null;
    const mainAlone = mainOf(alone);
    const mainRelaying = mainOf(relaying);
    console.log(
      `CPU per mail, process  ${ms(cpuAlone)} alone, ${ms(cpuRelaying)} caught and relayed (+${ms(cpuRelaying - cpuAlone)}, +${((cpuRelaying / cpuAlone - 1) * 100).toFixed(1)}%); relay alone ${ms(drain.drainCpuMsPerMail)}`,
    );
    const sysAlone = median(alone.map((r) => r.systemCpuMsPerMail!));
    const sysRelaying = median(relaying.map((r) => r.systemCpuMsPerMail!));
    console.log(
      `  of which system      ${ms(sysAlone)} alone, ${ms(sysRelaying)} caught and relayed (+${ms(sysRelaying - sysAlone)})`,
    );
    if (mainAlone !== null && mainRelaying !== null) {
      console.log(
        `CPU per mail, main     ${ms(mainAlone)} alone, ${ms(mainRelaying)} caught and relayed (+${ms(mainRelaying - mainAlone)}, +${((mainRelaying / mainAlone - 1) * 100).toFixed(1)}%); relay alone ${ms(drain.drainMainCpuMsPerMail)}`,
      );
    }
    console.log(
      `CPU-bound ingest rate while relaying would be ${((cpuAlone / cpuRelaying) * 100).toFixed(0)}% of ingest alone (process CPU)`,
    );
    console.log(`relaying costs ingest ${(cost * 100).toFixed(1)}% of its rate (target: at most 25%)`);
    console.log(
      JSON.stringify({ opts, alone, relaying, drain, cost, cpuAlone, cpuRelaying, mainAlone, mainRelaying }),
    );
  } finally {
    sink.child.kill();
  }
}

await main();
