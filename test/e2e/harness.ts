// What the UI end-to-end tests stand on: the built renderer, a real `mailbeacon serve` child process on free ports,
// an upstream SMTP server for the relay, a landing page for clicked links, and Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A cold electron-vite build of all three targets takes well under this on a laptop. */
const BUILD_TIMEOUT_MS = 180_000;
/** `serve` prints its JSON line once every listener is up; a cold tsx start needs a few seconds. */
const START_TIMEOUT_MS = 45_000;
/** SIGTERM gets this long to stop cleanly before the process is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** The UI is served from out/renderer; build it when a fresh checkout has none. */
export async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(join(ROOT, 'out/renderer/index.html'))) return;
  await run('npx', ['electron-vite', 'build'], BUILD_TIMEOUT_MS);
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[e2e] ${cmd} ${args.join(' ')} took longer than ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`[e2e] ${cmd} ${args.join(' ')} exited with ${code}\n${output}`));
    });
  });
}

export interface Serve {
  http: string;
  smtpHost: string;
  smtpPort: number;
  tracking: string;
  output: () => string;
  stop: () => Promise<void>;
  dataDir: string;
  /** Leave the data directory in place on stop, for a restart on it; the caller removes it. */
  keepData: () => void;
}

/** Listener addresses come as host:port or as URLs; tests want URLs for HTTP. */
function asUrl(address: string): string {
  return /^https?:\/\//.test(address) ? address.replace(/\/$/, '') : `http://${address}`;
}

export interface ServeOptions {
  /** Start on this data directory and leave it in place on stop (a restart's second run). */
  dataDir?: string;
  /** The HTTP listener's address, such as the one a first run was given, so a page open on it reconnects. */
  http?: string;
}

export async function startServe(extraArgs: string[] = [], options: ServeOptions = {}): Promise<Serve> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mailbeacon-ui-e2e-'));
  const args = [
    'bin/mailbeacon.js',
    'serve',
    '--data-dir',
    dataDir,
    '--smtp',
    '127.0.0.1:0',
    '--http',
    options.http ?? '127.0.0.1:0',
    '--tracking',
    '127.0.0.1:0',
    '--json',
    ...extraArgs,
  ];
  // The sources are what is under test; a stale out/main from an older build must not stand in for them.
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, MAILBEACON_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let keep = false;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`[e2e] serve printed no JSON line in ${START_TIMEOUT_MS} ms\n${output}`)),
      START_TIMEOUT_MS,
    );
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const json = output.split('\n').find((l) => l.trim().startsWith('{'));
      if (json) {
        clearTimeout(timer);
        resolveLine(json);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`[e2e] serve exited with ${code} before it was ready\n${output}`));
    });
  });
  const addresses = JSON.parse(line) as { smtp: string; http: string; tracking: string };
  const [smtpHost, smtpPort] = addresses.smtp.split(/:(?=\d+$)/);
  return {
    http: asUrl(addresses.http),
    smtpHost,
    smtpPort: Number(smtpPort),
    tracking: addresses.tracking ? asUrl(addresses.tracking) : '',
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      if (!options.dataDir && !keep) rmSync(dataDir, { recursive: true, force: true });
    },
    dataDir,
    keepData() {
      keep = true;
    },
  };
}

export interface Upstream {
  port: number;
  received: { to: string[]; raw: string }[];
  close: () => Promise<void>;
}

/** The relay's destination: a real SMTP server that keeps what it is sent. */
export async function startUpstream(): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Where clicked links land, so the redirect has a real destination on loopback. */
export async function startLanding(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end('<!doctype html><title>landed</title><p>landed</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Polls until test() holds; bounded so a broken server fails the test instead of hanging it. */
export async function until<T>(
  what: string,
  test: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await test();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`[e2e] timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
