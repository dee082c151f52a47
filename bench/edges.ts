/**
 * Edges benchmark: how long the API and SMTP take to answer while the heavy work a caught mail or a client can
 * start runs all at once, beside the same probes on the idle server in the same run.
 *
 *   tsx bench/edges.ts [--bundle] [--load-seconds 40] [--only html,links,pop3,hub] [--cpu-prof DIR]
 *
 * `mailbeacon serve` runs in a child process (with --pop3 and --allow-internal-http-requests). The loads, each alone, then
 * all together: html-check of a mail of 4,000 <style> blocks (~340 KB), link-check of a mail of 300 links to a local
 * server that answers each after 50 ms, a POP3 download (RETR) of a 10 MB mail of short lines, and a hub flood of 30
 * subscriptions of 32 costly URI templates each while a small mail arrives every 100 ms (each one an update matched
 * against every selector). The probes: GET /api/v1/info and an SMTP NOOP on an open session, each every 20 ms, one
 * at a time; the figure is each probe's worst and median answer time, idle, under each load alone and under all of
 * them together (target: under 100 ms).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { ServeProcess } from './lib/serve-process.js';

const { values: args } = parseArgs({
  options: {
    bundle: { type: 'boolean', default: false },
    'load-seconds': { type: 'string', default: '40' },
    /** Which loads to start (html, links, pop3, hub), to tell their effects apart. */
    only: { type: 'string', default: 'html,links,pop3,hub' },
    /** Writes a CPU profile of the server's main thread into this folder (node --cpu-prof), to find what blocks. */
    'cpu-prof': { type: 'string' },
  },
});
const LOAD_MS = Number(args['load-seconds']) * 1000;
const IDLE_MS = 3_000;
/** The hub flood publishes for at most this long. */
const HUB_MS = 15_000;
/** The pause between phases. */
const SETTLE_MS = 1_000;

type Load = 'html' | 'links' | 'pop3' | 'hub';
const PROBE_EVERY_MS = 20;
const POP3_USER = 'bench';
const POP3_PASS = 'bench-pass';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A line-based client on one socket: each command resolves with the reply it waited for. */
class LineClient {
  #buffer = '';
  #waiters: { done: (text: string) => boolean; resolve: (text: string) => void }[] = [];
  #counting?: { bytes: number; tail: string; mark: string; resolve: (bytes: number) => void };
  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      const c = this.#counting;
      if (c) {
        c.bytes += d.length;
        c.tail = (c.tail + d).slice(-16);
        if (c.tail.endsWith(c.mark) || (c.bytes === d.length && d.startsWith('-ERR'))) {
          this.#counting = undefined;
          c.resolve(c.bytes);
        }
        return;
      }
      this.#buffer += d;
      const w = this.#waiters[0];
      if (w && w.done(this.#buffer)) {
        const text = this.#buffer;
        this.#buffer = '';
        this.#waiters.shift();
        w.resolve(text);
      }
    });
  }
  static open(host: string, port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }
  /**
   * Sends `line` and resolves with the size of the reply once it ends with `mark`, keeping none of it: a reply of
   * megabytes gathered into one string would cost this process more than the server it measures.
   */
  count(line: string, mark: string): Promise<number> {
    const counted = new Promise<number>(
      (resolve) => (this.#counting = { bytes: 0, tail: '', mark, resolve }),
    );
    this.socket.write(`${line}\r\n`);
    return counted;
  }

  /** Sends `line` (if any) and resolves once the reply satisfies `done`. */
  ask(
    line: string | undefined,
    done: (text: string) => boolean = (t) => t.endsWith('\r\n'),
  ): Promise<string> {
    const answer = new Promise<string>((resolve) => this.#waiters.push({ done, resolve }));
    if (line !== undefined) this.socket.write(`${line}\r\n`);
    return answer;
  }
}

interface Probe {
  times: number[];
  stop: () => Promise<void>;
}

function probeLoop(once: () => Promise<unknown>): Probe {
  const times: number[] = [];
  let running = true;
  let pendingSince: number | undefined;
  void (async () => {
    while (running) {
      const t0 = performance.now();
      pendingSince = t0;
      await once().catch(() => {});
      pendingSince = undefined;
      if (!running) return;
      times.push(performance.now() - t0);
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return {
    times,
    // A probe still unanswered when the phase ends counts with the time it has waited so far.
    stop: async () => {
      running = false;
      if (pendingSince !== undefined) times.push(performance.now() - pendingSince);
    },
  };
}

function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const worst = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(10);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailbeacon-bench-edges-'));
  // The links' target: answers every HEAD after 50 ms, as a slow site would.
  const site = createServer((_req, res) => setTimeout(() => res.writeHead(200).end(), 50));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const sitePort = (site.address() as AddressInfo).port;
  const serve = await ServeProcess.start({
    dataDir,
    bundle: args.bundle,
    nodeArgs: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [],
    args: [
      '--pop3',
      '127.0.0.1:0',
      '--pop3-auth',
      `${POP3_USER}:${POP3_PASS}`,
      '--allow-internal-http-requests',
    ],
  });
  const transport = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const sendMail = async (mail: Record<string, unknown>) => {
    const info = await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', ...mail });
    return /queued as (\S+)/.exec(info.response)![1]!;
  };
  try {
    // The mails the load works on, stored before anything is measured: the 10 MB mail once, the checks' mails once
    // per phase (a link check's result is kept a while; a second check of the same mail would measure the cache).
    const big = Array.from({ length: (10 * 1024 * 1024) / 40 }, (_, i) =>
      `line ${i} of a long mail.`.padEnd(38),
    ).join('\r\n');
    await sendMail({ subject: 'Ten megabytes', text: big });
    const styles = Array.from(
      { length: 4000 },
      (_, i) => `<style>.c${i} { display: flex; border-radius: ${i}px; }</style>`,
    ).join('\n');
    const links = Array.from(
      { length: 300 },
      (_, i) => `<a href="http://127.0.0.1:${sitePort}/l/${i}">${i}</a>`,
    ).join(' ');
    const checkMails = async () => ({
      styleId: await sendMail({
        subject: 'Styles',
        html: `<html><head>${styles}</head><body><p>x</p></body></html>`,
      }),
      linksId: await sendMail({ subject: 'Links', html: `<html><body>${links}</body></html>` }),
    });

    // An SMTP session per phase: a probe left unanswered at the end of one phase must not take the next one's reply.
    const sessions: LineClient[] = [];
    const probes = async () => {
      const smtp = await LineClient.open(serve.smtpHost, serve.smtpPort);
      sessions.push(smtp);
      await smtp.ask(undefined);
      await smtp.ask('EHLO bench.test', (t) => /^250 /m.test(t));
      return {
        api: probeLoop(() => httpGet(`${serve.http}/api/v1/info`)),
        smtp: probeLoop(() => smtp.ask('NOOP')),
      };
    };

    const headers = { 'Sec-Fetch-Site': 'same-origin' };
    const loads: Record<
      Load,
      { label: string; run: (ids: { styleId: string; linksId: string }) => Promise<string> }
    > = {
      html: {
        label: 'html-check, 4,000 style blocks',
        run: async ({ styleId }) => {
          const r = await httpGet(`${serve.http}/api/v1/message/${styleId}/html-check`, headers);
          return `HTTP ${r.status}${r.status === 200 ? `, ${(JSON.parse(r.body) as { Warnings: unknown[] }).Warnings.length} warnings` : `: ${r.body.slice(0, 120)}`}`;
        },
      },
      links: {
        label: 'link-check, 300 links (100 checked)',
        run: async ({ linksId }) => {
          const r = await httpGet(`${serve.http}/api/v1/message/${linksId}/link-check`, headers);
          return `HTTP ${r.status}`;
        },
      },
      pop3: {
        label: 'POP3 RETR of the 10 MB mail',
        run: async () => {
          const [host, port] = serve.pop3.split(/:(?=\d+$)/);
          const c = await LineClient.open(host!, Number(port));
          await c.ask(undefined);
          await c.ask(`USER ${POP3_USER}`);
          await c.ask(`PASS ${POP3_PASS}`);
          const list = await c.ask('LIST', (t) => t.endsWith('\r\n.\r\n') || t.startsWith('-ERR'));
          const sizes = [...list.matchAll(/^(\d+) (\d+)$/gm)].map(
            (m) => [Number(m[1]), Number(m[2])] as const,
          );
          const [n, size] = sizes.sort((a, b) => b[1] - a[1])[0]!;
          const read = await c.count(`RETR ${n}`, '\r\n.\r\n');
          await c.ask('QUIT');
          c.socket.destroy();
          return `${(read / 1024 / 1024).toFixed(1)} MB read (${(size / 1024 / 1024).toFixed(1)} MB listed)`;
        },
      },
      hub: {
        label: 'hub, 30 × 32 templates, a mail each 100 ms',
        run: async () => {
          const token = JSON.parse((await httpGet(`${serve.http}/api/v1/hub/token?subscribe=*`)).body) as {
            token: string;
          };
          const sockets: Socket[] = [];
          let accepted = 0;
          for (let s = 0; s < 30; s++) {
            const url = new URL(`${serve.http}/.well-known/mercure`);
            for (let i = 0; i < 32; i++)
              url.searchParams.append(
                'topic',
                `https://e.test/{+a${s}x${i}}{+b}{+c}{+d}{+e}{+f}{+g}{+h}{?q,r,s,t,u,v,w}`,
              );
            const socket = connect(Number(url.port), url.hostname);
            socket.write(
              `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token.token}\r\nAccept: text/event-stream\r\n\r\n`,
            );
            socket.once('data', (d) => {
              if (/^HTTP\/1\.1 200/.test(d.toString('latin1'))) accepted++;
            });
            socket.on('data', () => {});
            socket.on('error', () => {});
            sockets.push(socket);
          }
          let sent = 0;
          const until = performance.now() + Math.min(LOAD_MS, HUB_MS);
          while (performance.now() < until) {
            await sendMail({ subject: `update ${sent}`, text: 'x' });
            sent++;
            await sleep(100);
          }
          for (const s of sockets) s.destroy();
          return `${accepted} subscriptions accepted, ${sent} mails published`;
        },
      },
    };

    /** One phase: the probes while `which` loads run together (none: the idle baseline). */
    const phase = async (which: Load[]) => {
      const ids = which.some((l) => l === 'html' || l === 'links') ? await checkMails() : undefined;
      const p = await probes();
      const t0 = performance.now();
      const took: Record<string, string> = {};
      if (which.length === 0) await sleep(IDLE_MS);
      else {
        const runs = which.map(async (load) => {
          const { label, run } = loads[load];
          took[label] = 'running';
          const start = performance.now();
          try {
            const what = await run(ids!);
            if (took[label] === 'running')
              took[label] = `${((performance.now() - start) / 1000).toFixed(1)} s, ${what}`;
          } catch (err) {
            if (took[label] === 'running') took[label] = `failed: ${(err as Error).message}`;
          }
        });
        await Promise.race([Promise.all(runs), sleep(LOAD_MS)]);
        for (const label of Object.keys(took))
          if (took[label] === 'running') took[label] = 'not done within the load phase';
      }
      const seconds = (performance.now() - t0) / 1000;
      await Promise.all([p.api.stop(), p.smtp.stop()]);
      // Let the server settle (a hub flood's sockets close, a killed check's worker ends) before the next phase.
      await sleep(SETTLE_MS);
      return { name: which.length === 0 ? 'idle' : which.length === 1 ? which[0]! : 'all', seconds, took, p };
    };

    const chosen = args.only.split(',').filter((l): l is Load => l in loads);
    const phases = [await phase([])];
    if (chosen.length > 1) for (const load of chosen) phases.push(await phase([load]));
    phases.push(await phase(chosen));
    for (const session of sessions) session.socket.destroy();

    console.log(`\nbench:edges — serve ${args.bundle ? 'bundle' : 'sources'}`);
    for (const ph of phases.slice(1)) {
      console.log(`  ${ph.name} (${ph.seconds.toFixed(1)} s):`);
      for (const [label, what] of Object.entries(ph.took)) console.log(`    ${label}: ${what}`);
    }
    console.log('');
    console.log('worst answer (median) per phase; target: worst under 100 ms');
    console.log(`${'probe'.padEnd(12)}${phases.map((ph) => ph.name.padStart(22)).join('')}`);
    for (const probe of ['api', 'smtp'] as const) {
      const cells = phases.map((ph) => {
        const times = ph.p[probe].times;
        return `${ms(worst(times))} (${ms(median(times)).trim()})`.padStart(22);
      });
      console.log(`${(probe === 'api' ? 'API /info' : 'SMTP NOOP').padEnd(12)}${cells.join('')}`);
    }
  } finally {
    transport.close();
    await serve.stop(5_000);
    site.closeAllConnections();
    site.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Every wait above is bounded; this bounds the whole run, a stalled server included.
const PHASES = 6;
const DEADLINE_MS = 60_000 + PHASES * (LOAD_MS + SETTLE_MS);
setTimeout(() => {
  console.error(`[bench] bench:edges did not finish within ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS).unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
