/**
 * Hub benchmark: N concurrent subscribers on loopback, a fixed publish rate for a bounded time, delivery
 * latency p50/p99, memory per idle subscriber and lost updates, for the Mercure hub and, side by side in the
 * same run, a bare node:http SSE broadcast loop (the floor any hub pays on top of).
 *
 *   tsx bench/hub.ts [--subscribers 1000,5000] [--rate 100] [--seconds 10] [--workers 2]
 *
 * Three kinds of process, all this file: the main one orchestrates; a server process runs the hub (or the bare
 * loop) and publishes; client processes hold the subscriber sockets and parse the raw SSE stream. Server and
 * clients are separate so that neither's CPU time shows up as the other's latency. Latency is measured with
 * the monotonic clock (process.hrtime), which all processes on one machine share.
 */
import { fork, execSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const TOPIC = 'urn:mailbeacon:messages';
const KEY = 'bench-key-bench-key-bench-key-bench-key';

/** Latency histogram resolution and range: 50 µs buckets up to 5 s; anything slower lands in the last one. */
const BUCKET_MS = 0.05;
const BUCKETS = 100_000;

/** Subscribers opened at once per client process: more would overflow the listen backlog and cost SYN retries. */
const CONNECT_CONCURRENCY = 100;

/** After the last publish, how long clients get to receive what is still in flight before they report. */
const SETTLE_MS = 2_000;

/** Every wait in the bench is bounded; a run that takes longer than this is reported as failed. */
const STEP_TIMEOUT_MS = 120_000;

/**
 * hub: the Mercure hub. bare: the loop anyone would write first (chunked responses). bare-unchunked: the same
 * loop writing unframed, close-delimited streams as the hub does, so the hub's own overhead shows exactly.
 */
type Impl = 'hub' | 'bare' | 'bare-unchunked';

interface Report {
  hist: number[];
  received: number;
  gaps: number;
  closed: number;
}

const nowNs = (): bigint => process.hrtime.bigint();

// ---------------------------------------------------------------- server process

async function runServer(impl: Impl): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  let publishOne: (data: string) => void;
  let count: () => number;
  let closeAll: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'mailbeacon-bench-'));
  let base = '';

  if (impl === 'hub') {
    const { Hub } = await import('../src-main/hub/hub.js');
    const { openDatabase } = await import('../src-main/store/sqlite/database.js');
    const { CommitQueue } = await import('../src-main/store/sqlite/commit-queue.js');
    const { HubHistoryStore } = await import('../src-main/store/sqlite/hub-history.js');
    const { createLogger } = await import('../src-main/logger.js');
    // The configuration the app runs with: SQLite history of 10,000, private updates, JWT subscribers.
    const db = openDatabase({ path: join(dir, 'bench.db') });
    const hub = new Hub({
      storedHistory: new HubHistoryStore(db, new CommitQueue(db), 10_000),
      publisherKey: KEY,
      subscriberKey: KEY,
      anonymous: false,
      corsOrigins: [],
      heartbeatMs: 30_000,
      historySize: 10_000,
      logger: createLogger('warn', undefined, 'hub'),
      publicUrl: () => base,
    });
    const server = createServer((req, res) => hub.handle(req, res));
    publishOne = (data) => void hub.publish({ topics: [TOPIC], data, private: true });
    count = () => hub.subscriberCount;
    closeAll = async () => {
      await hub.close();
      server.closeAllConnections();
      server.close();
      db.close();
    };
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', 4096, r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  } else {
    const streams = new Set<ServerResponse>();
    let seq = 0;
    const server = createServer((req, res) => {
      req.socket.setNoDelay(true);
      if (impl === 'bare-unchunked') res.useChunkedEncodingByDefault = false;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(':\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
    });
    publishOne = (data) => {
      const frame = `id: ${++seq}\ndata: ${data}\n\n`;
      for (const res of streams) res.write(frame);
    };
    count = () => streams.size;
    closeAll = async () => {
      for (const res of streams) res.end();
      server.closeAllConnections();
      server.close();
    };
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', 4096, r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  await settle();
  const baseline = process.memoryUsage();
  process.send!({ type: 'ready', url: `${base}/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}` });

  process.on('message', async (msg: { cmd: string; rate?: number; seconds?: number }) => {
    if (msg.cmd === 'measure') {
      await settle();
      const m = process.memoryUsage();
      process.send!({
        type: 'memory',
        subscribers: count(),
        rss: m.rss - baseline.rss,
        heap: m.heapUsed - baseline.heapUsed,
      });
    } else if (msg.cmd === 'publish') {
      const total = msg.rate! * msg.seconds!;
      const intervalNs = BigInt(Math.round(1e9 / msg.rate!));
      const start = nowNs();
      let sent = 0;
      let dispatchNs = 0n;
      const cpuBefore = process.cpuUsage();
      // Drift-corrected schedule: update i goes out at start + i·interval, whatever the previous one cost.
      await new Promise<void>((resolve) => {
        const tick = () => {
          while (sent < total && nowNs() >= start + BigInt(sent) * intervalNs) {
            const t = nowNs();
            publishOne(`${sent} ${t}`);
            dispatchNs += nowNs() - t;
            sent++;
          }
          if (sent >= total) return resolve();
          const waitMs = Number(start + BigInt(sent) * intervalNs - nowNs()) / 1e6;
          setTimeout(tick, Math.max(0, waitMs));
        };
        tick();
      });
      const cpu = process.cpuUsage(cpuBefore);
      process.send!({
        type: 'published',
        count: sent,
        subscribers: count(),
        dispatchMs: Number(dispatchNs / BigInt(sent)) / 1e6,
        cpuPercent: ((cpu.user + cpu.system) / 1e3 / (msg.seconds! * 1e3)) * 100,
      });
    } else if (msg.cmd === 'exit') {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------- client process

async function runClients(url: string, n: number, token: string): Promise<void> {
  const hist = new Array<number>(BUCKETS).fill(0);
  let received = 0;
  let gaps = 0;
  let closed = 0;
  let connected = 0;

  const open = () =>
    new Promise<void>((resolve, reject) => {
      let next = -1;
      let buffer = '';
      const req = request(url, { agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`subscribe answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = nowNs();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (event.startsWith(':')) {
              if (next === -1) {
                next = 0;
                connected++;
                resolve();
              }
              continue;
            }
            const data = event.slice(event.indexOf('data: ') + 6);
            const space = data.indexOf(' ');
            const seq = Number(data.slice(0, space));
            const latencyMs = Number(at - BigInt(data.slice(space + 1))) / 1e6;
            hist[Math.min(BUCKETS - 1, Math.floor(latencyMs / BUCKET_MS))]!++;
            received++;
            if (seq !== next) gaps += Math.max(0, seq - next);
            next = seq + 1;
          }
        });
        res.on('close', () => closed++);
      });
      req.on('error', reject);
      req.end();
    });

  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      await open();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, n) }, worker));
  process.send!({ type: 'connected', connected });
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'report')
      process.send!({ type: 'report', hist, received, gaps, closed } satisfies Report & { type: string });
    if (msg.cmd === 'exit') process.exit(0);
  });
}

// ---------------------------------------------------------------- orchestration

function spawn(args: string[]): ChildProcess {
  return fork(SELF, args, {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      // BENCH_PROF=dir writes a CPU profile of each server process there (open it in Chrome DevTools).
      ...(process.env.BENCH_PROF && args[0] === '--server'
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for "${type}"`));
    }, STEP_TIMEOUT_MS);
    const onMessage = (msg: { type: string }) => {
      if (msg.type !== type) return;
      done();
      resolve(msg as T);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited (${code}) before "${type}"`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function percentile(hist: number[], total: number, p: number): number {
  let seen = 0;
  const target = Math.ceil(total * p);
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= target) return (i + 1) * BUCKET_MS;
  }
  return Infinity;
}

interface Result {
  impl: Impl;
  subscribers: number;
  p50: number;
  p99: number;
  max: number;
  heapPerSub: number;
  rssPerSub: number;
  expected: number;
  received: number;
  lost: number;
  dropped: number;
  /** Mean time one publish call takes in the server (serialize, store, write to every socket). */
  dispatchMs: number;
  /** Server process CPU while publishing, % of one core. */
  serverCpu: number;
}

async function runOnce(
  impl: Impl,
  n: number,
  rate: number,
  seconds: number,
  workers: number,
): Promise<Result> {
  const server = spawn(['--server', impl]);
  const clients: ChildProcess[] = [];
  try {
    const { url } = await next<{ url: string }>(server, 'ready');
    const { mintToken } = await import('../src-main/hub/jwt.js');
    const token = await mintToken(KEY, { subscribe: ['*'] });
    const share = Array.from(
      { length: workers },
      (_, i) => Math.floor(n / workers) + (i < n % workers ? 1 : 0),
    );
    for (const count of share) clients.push(spawn(['--clients', url, String(count), token]));
    await Promise.all(clients.map((c) => next(c, 'connected')));
    const memory = await (async () => {
      server.send({ cmd: 'measure' });
      return next<{ subscribers: number; rss: number; heap: number }>(server, 'memory');
    })();
    if (memory.subscribers !== n) throw new Error(`only ${memory.subscribers} of ${n} subscribers connected`);
    server.send({ cmd: 'publish', rate, seconds });
    const published = await next<{
      count: number;
      subscribers: number;
      dispatchMs: number;
      cpuPercent: number;
    }>(server, 'published');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const reports = await Promise.all(
      clients.map((c) => {
        c.send({ cmd: 'report' });
        return next<Report>(c, 'report');
      }),
    );
    const hist = new Array<number>(BUCKETS).fill(0);
    let received = 0;
    let closed = 0;
    let maxBucket = 0;
    for (const r of reports) {
      received += r.received;
      closed += r.closed;
      r.hist.forEach((v, i) => {
        hist[i]! += v;
        if (v > 0) maxBucket = Math.max(maxBucket, i);
      });
    }
    const expected = published.count * n;
    return {
      impl,
      subscribers: n,
      p50: percentile(hist, received, 0.5),
      p99: percentile(hist, received, 0.99),
      max: (maxBucket + 1) * BUCKET_MS,
      heapPerSub: memory.heap / n,
      rssPerSub: memory.rss / n,
      expected,
      received,
      lost: expected - received,
      dropped: closed,
      dispatchMs: published.dispatchMs,
      serverCpu: published.cpuPercent,
    };
  } finally {
    for (const c of clients) c.send({ cmd: 'exit' });
    server.send({ cmd: 'exit' });
    await Promise.all(
      [server, ...clients].map(
        (c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))),
      ),
    );
  }
}

function fdLimit(): number {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) || Infinity;
  } catch {
    return Infinity;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000,5000' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '10' },
      workers: { type: 'string', default: '2' },
    },
  });
  const sizes = values.subscribers.split(',').map(Number);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const workers = Number(values.workers);
  const limit = fdLimit();
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  process.stdout.write(
    `hub bench: ${rate} updates/s for ${seconds} s, ${workers} client processes, Node ${process.version}, fd limit ${limit}\n\n` +
      '| impl | subscribers | p50 ms | p99 ms | max ms | heap KB/sub | RSS KB/sub | delivered | lost | dropped | dispatch ms/update | server CPU % |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
  );
  let failed = false;
  for (const n of sizes) {
    // The server holds n sockets (plus its database and pipes); each client process holds its share.
    if (n + 64 > limit) {
      process.stdout.write(
        `| (skipped) | ${n} | fd limit ${limit} too low: run \`ulimit -n ${n + 1024}\` first | | | | | | | |\n`,
      );
      continue;
    }
    for (const impl of ['bare', 'bare-unchunked', 'hub'] as const) {
      try {
        const r = await runOnce(impl, n, rate, seconds, workers);
        if (r.lost !== 0 || r.dropped !== 0) failed = true;
        process.stdout.write(
          `| ${r.impl} | ${r.subscribers} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${kb(r.heapPerSub)} | ${kb(r.rssPerSub)} | ${r.received}/${r.expected} | ${r.lost} | ${r.dropped} | ${r.dispatchMs.toFixed(2)} | ${r.serverCpu.toFixed(0)} |\n`,
        );
      } catch (err) {
        failed = true;
        process.stdout.write(`| ${impl} | ${n} | failed: ${(err as Error).message} | | | | | | | |\n`);
      }
    }
  }
  process.exitCode = failed ? 1 : 0;
}

const role = process.argv[2];
if (role === '--server') await runServer(process.argv[3] as Impl);
else if (role === '--clients') await runClients(process.argv[3]!, Number(process.argv[4]), process.argv[5]!);
else await main();
