/**
 * Relay benchmark (`npm run bench:relay`): 5,000 mails caught over SMTP and auto-relayed to Postfix's smtp-sink.
 *
 *   tsx bench/relay.ts [--mails 5000] [--connections 10] [--warmup 300]
 *
 * Two phases in one run, each on a fresh file-backed data dir (WAL, as a real one):
 *  - ingest alone: a Sandbox without relay; the ingest rate is mails / time from the first send to the last 250;
 *  - ingest while relaying: the same Sandbox plus the relay worker (--relay-all to smtp-sink) attached to its ingest;
 *    the ingest rate is measured the same way, the end-to-end rate is mails / time from the first send until the
 *    outbox has recorded every mail as sent (the upstream's 250 committed).
 * The SMTP client runs in a child process (this file with --send) so that its CPU time is not charged to ingest.
 * Each phase starts with a warm-up batch that is not measured (JIT, connection pools, SQLite page cache).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  process.send!({ elapsedMs });
}

// ---------------------------------------------------------------- driver

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

function send(smtpPort: number, mails: number, connections: number, tag: string): Promise<number> {
  const child = fork(SELF, ['--send', String(smtpPort), String(mails), String(connections), tag], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('sender timed out'));
    }, PHASE_TIMEOUT_MS);
    child.once('message', (m: { elapsedMs: number }) => {
      clearTimeout(timer);
      resolve(m.elapsedMs);
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
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface PhaseResult {
  ingestPerSec: number;
  endToEndPerSec?: number;
  ingestMs: number;
  endToEndMs?: number;
}

async function phase(
  opts: { relayPort?: number; mails: number; connections: number; warmup: number },
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
  try {
    const addresses = await sandbox.start();
    const smtpPort = Number(addresses.smtp.split(':').at(-1));
    if (opts.relayPort) {
      const relaySettings = loadSettings(
        { dataDir: dir, relay: `smtp://127.0.0.1:${opts.relayPort}`, relayAll: true },
        {},
      );
      relay = createRelay(relaySettings, {
        db: sandbox.db,
        store: sandbox.store,
        bus: sandbox.bus,
        logger: logger.child('relay'),
        clock: sandbox.clock,
      })!;
      relay.attach(sandbox.ingest);
      relay.start();
    }
    const sent = () => relay!.outbox.counts().sent;
    if (opts.warmup) {
      await send(smtpPort, opts.warmup, opts.connections, `${name}-warm`);
      if (relay) await waitUntil(() => sent() === opts.warmup);
    }
    const started = performance.now();
    const ingestMs = await send(smtpPort, opts.mails, opts.connections, name);
    const result: PhaseResult = { ingestMs, ingestPerSec: (opts.mails / ingestMs) * 1000 };
    if (relay) {
      await waitUntil(() => sent() === opts.warmup + opts.mails);
      result.endToEndMs = performance.now() - started;
      result.endToEndPerSec = (opts.mails / result.endToEndMs) * 1000;
      const { dead, failed } = relay.outbox.counts();
      if (dead || failed) throw new Error(`${dead} dead and ${failed} failed relay entries`);
    }
    return result;
  } finally {
    await relay?.stop();
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      send: { type: 'boolean', default: false },
      mails: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '300' },
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
  };
  const sink = await startSink();
  try {
    const alone = await phase(opts, 'alone');
    const relaying = await phase({ ...opts, relayPort: sink.port }, 'relay');
    const cost = 1 - relaying.ingestPerSec / alone.ingestPerSec;
    const fmt = (n: number) => n.toFixed(0).padStart(7);
    console.log(`mails: ${opts.mails} (+${opts.warmup} warm-up), client connections: ${opts.connections}`);
    console.log(
      `ingest alone           ${fmt(alone.ingestPerSec)} mails/s  (${(alone.ingestMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `ingest while relaying  ${fmt(relaying.ingestPerSec)} mails/s  (${(relaying.ingestMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `end to end (relayed)   ${fmt(relaying.endToEndPerSec!)} mails/s  (${(relaying.endToEndMs! / 1000).toFixed(2)} s)`,
    );
    console.log(`relaying costs ingest ${(cost * 100).toFixed(1)}% of its rate (target: at most 25%)`);
    console.log(JSON.stringify({ opts, alone, relaying, cost }));
  } finally {
    sink.child.kill();
  }
}

await main();
