/**
 * Large-mail stall benchmark (`npm run bench:large-mail`): what a user of the UI sees while a 20 MB mail arrives.
 *
 * `mailbeacon serve` runs in a child process on a temp data dir, with its defaults (on two cores every mail is read
 * on the main thread unless it is large). This process asks `GET /api/v1/messages?limit=1` over one
 * keep-alive connection every 20 ms, as a UI refreshing hard would, and sends mails over SMTP meanwhile: first small ones (a
 * 20 KB HTML mail, the baseline), then 20 MB ones (a 1.5 MB HTML part full of links, two large attachments). The
 * figure is the slowest API answer from the start of each mail's DATA to a second after its 250: an answer that waits
 * is the server's event loop stalled by the mail (the probe itself is a small query).
 *
 *   tsx bench/large-mail.ts [--rounds 3] [--mb 20] [--bundle] [--prof DIR] [--serve-arg=--ingest-threads=0 ...]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { ServeProcess } from './lib/serve-process.js';
import { runSmtpLoad } from './lib/smtp-load.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    mb: { type: 'string', default: '20' },
    bundle: { type: 'boolean', default: false },
    prof: { type: 'string' },
    'serve-arg': { type: 'string', multiple: true, default: [] },
  },
});
const ROUNDS = Math.max(1, Math.min(20, Number(args.rounds)));
const LARGE_BYTES = Math.max(1, Number(args.mb)) * 1024 * 1024;
const SMALL_BYTES = 20 * 1024;
/** How long after the 250 the probe keeps watching: events, the search index and the UI's refetch follow it. */
const AFTER_MS = 1000;
/** A probe answer slower than this fails the run instead of hanging it. */
const PROBE_TIMEOUT_MS = 30_000;
const TARGET_MS = 200;
/** The probe asks this often (or right after the answer to a slower request): a UI polling hard, not a load test. */
const PROBE_EVERY_MS = 20;

/** An HTML body of about `bytes`: paragraphs with links (each one tracked) and some text for the search index. */
function html(bytes: number): string {
  const parts = ['<!doctype html><html><body><h1>Quarterly report</h1>'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const p =
      `<p>Item ${i}: shipment, invoice and delivery details for order ${i * 7919}. ` +
      `<a href="https://shop.bench.test/orders/${i}?ref=report">order ${i}</a> · ` +
      `<a href="https://cdn.bench.test/${i}.pdf">receipt</a></p>\n`;
    parts.push(p);
    size += p.length;
  }
  parts.push('</body></html>');
  return parts.join('');
}

/** The DATA content of a mail of about `bytes`, dot-stuffed and ending in CRLF. */
async function buildMail(bytes: number, large: boolean): Promise<Buffer> {
  const htmlBytes = large ? 1.5 * 1024 * 1024 : bytes;
  // base64 grows an attachment by a third: two attachments fill what the HTML leaves of `bytes`.
  const attachment = large ? Math.floor(((bytes - htmlBytes * 1.1) * 3) / 4 / 2) : 0;
  const mail = new MailComposer({
    from: 'Reports <reports@bench.test>',
    to: 'ann@example.test',
    subject: large ? 'Quarterly report (large)' : 'Quarterly report',
    html: html(htmlBytes),
    text: large ? 'The quarterly report, with its data attached.' : undefined,
    attachments: large
      ? [
          {
            filename: 'export.bin',
            content: randomBytes(attachment),
            contentType: 'application/octet-stream',
          },
          { filename: 'scan.pdf', content: randomBytes(attachment), contentType: 'application/pdf' },
        ]
      : [],
  });
  const raw: Buffer = await new Promise((resolve, reject) =>
    mail.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  const text = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1');
}

interface Probe {
  startedAt: number;
  ms: number;
  reset?: boolean;
}

/** Asks the API every PROBE_EVERY_MS until stopped; keeps every answer's start and latency. */
function startProbe(http: string): { stop: () => Promise<Probe[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL('/api/v1/messages?limit=1', http);
  const probes: Probe[] = [];
  let running = true;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const startedAt = performance.now();
      const req = request(url, { agent, timeout: PROBE_TIMEOUT_MS }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`[bench] probe got ${res.statusCode}`));
          probes.push({ startedAt, ms: performance.now() - startedAt });
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('[bench] probe timed out')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A server stalled past its keep-alive timeout closes the waiting connection as it wakes up: the answer
        // never comes, and the wait until then is what the user saw. The next request opens a new connection.
        if (err.code !== 'ECONNRESET') return reject(err);
        probes.push({ startedAt, ms: performance.now() - startedAt, reset: true });
        resolve();
      });
      req.end();
    });
  // (a failure is kept for stop() to throw: rejecting here, unawaited, would end the run without its cause)
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await once();
      await new Promise((r) => setTimeout(r, Math.max(0, PROBE_EVERY_MS - (performance.now() - started))));
    }
  })().catch((err: Error) => err);
  return {
    stop: async () => {
      running = false;
      const failure = await loop;
      agent.destroy();
      if (failure) throw failure;
      return probes;
    },
  };
}

interface Round {
  /** The slowest API answer that overlapped the mail's arrival, or the second after it. */
  worstMs: number;
  /** How long the mail took from DATA to 250. */
  acceptMs: number;
  /** Probe connections the server reset (see startProbe). */
  resets: number;
}

async function sendWatched(serve: ServeProcess, content: Buffer): Promise<Round> {
  const probe = startProbe(serve.http);
  await new Promise((r) => setTimeout(r, 300));
  const sentAt = performance.now();
  const result = await runSmtpLoad({
    host: serve.smtpHost,
    port: serve.smtpPort,
    connections: 1,
    mails: 1,
    maxSeconds: 120,
    replyTimeoutMs: 120_000,
    message: () => content,
  });
  const acceptedAt = performance.now();
  if (result.accepted !== 1) throw new Error(`[bench] the mail was refused: ${result.firstError}`);
  await new Promise((r) => setTimeout(r, AFTER_MS));
  const probes = await probe.stop();
  const during = probes.filter((p) => p.startedAt + p.ms >= sentAt && p.startedAt <= acceptedAt + AFTER_MS);
  return {
    worstMs: Math.max(0, ...during.map((p) => p.ms)),
    acceptMs: acceptedAt - sentAt,
    resets: during.filter((p) => p.reset).length,
  };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  console.log(
    `[bench] large mail: ${cpus().length} cores, Node ${process.version}, ${ROUNDS} rounds, ` +
      `serve ${args.bundle ? 'bundle' : 'sources'} ${args['serve-arg'].join(' ')}`.trimEnd(),
  );
  const small = await buildMail(SMALL_BYTES, false);
  const large = await buildMail(LARGE_BYTES, true);
  console.log(
    `[bench] mails: baseline ${(small.length / 1024).toFixed(0)} KB, large ${(large.length / 1024 / 1024).toFixed(1)} MB`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'mb-bench-large-'));
  const serve = await ServeProcess.start({
    dataDir,
    bundle: args.bundle,
    args: args['serve-arg'],
    nodeArgs: args.prof ? ['--cpu-prof', '--cpu-prof-dir', args.prof] : [],
  });
  try {
    // Warm-up: the first mail loads the parser and JIT-compiles the ingest path.
    await sendWatched(serve, small);
    const rows: { name: string; rounds: Round[] }[] = [
      { name: 'baseline 20 KB', rounds: [] },
      { name: `large ${args.mb} MB`, rounds: [] },
    ];
    for (let r = 0; r < ROUNDS; r++) {
      rows[0]!.rounds.push(await sendWatched(serve, small));
      rows[1]!.rounds.push(await sendWatched(serve, large));
    }
    console.log('\n| mail | longest API stall (worst round) | per round | DATA to 250 (median) | target |');
    console.log('| ---- | ------------------------------: | --------- | -------------------: | ------ |');
    for (const { name, rounds } of rows) {
      const worst = Math.max(...rounds.map((r) => r.worstMs));
      const resets = rounds.reduce((n, r) => n + r.resets, 0);
      const accept = rounds.map((r) => r.acceptMs).sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
      console.log(
        `| ${name} | ${fmt(worst)}${resets ? ` (${resets} connections reset)` : ''} | ` +
          `${rounds.map((r) => r.worstMs.toFixed(0)).join(', ')} | ${fmt(accept)} | ` +
          `${name.startsWith('large') ? `< ${TARGET_MS} ms: ${worst < TARGET_MS ? 'met' : 'NOT met'}` : '—'} |`,
      );
    }
  } catch (err) {
    if (serve.child.exitCode !== null || serve.child.signalCode !== null)
      console.error(
        `[bench] serve died (${serve.child.exitCode ?? serve.child.signalCode}): ${serve.stderr}`,
      );
    throw err;
  } finally {
    const exit = await serve.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (exit.code !== 0)
      console.error(`[bench] serve exited with ${exit.code ?? exit.signal}: ${serve.stderr}`);
  }
}

await main();
