import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVE_FLAGS } from '../../src-main/config/flags.js';
import { ConfigError, loadSettings, parseServeFlags } from '../../src-main/config/load.js';
import { tempDir } from '../helpers/sandbox.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'mailbeacon.js');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('settings', () => {
  it('has the documented defaults', () => {
    const s = loadSettings({ dataDir: ':memory:' }, {});
    expect(s.smtp).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(s.http).toEqual({ host: '127.0.0.1', port: 8025 });
    expect(s.tracking).toEqual({ host: '127.0.0.1', port: 8026 });
    expect(s.maxMessages).toBe(10_000);
    expect(s.maxMessageSize).toBe(50 * 1024 * 1024);
    expect(s.maxRecipients).toBe(100);
    expect(s.tokenMode).toBe('sealed');
    expect(s.relayRetries).toEqual([10_000, 60_000, 300_000, 1_800_000, 7_200_000, 28_800_000]);
  });

  it('defaults the data dir to $XDG_DATA_HOME/mailbeacon', () => {
    expect(loadSettings({}, { XDG_DATA_HOME: '/tmp/xdg-test' }).dataDir).toBe('/tmp/xdg-test/mailbeacon');
  });

  it('merges mailbeacon.json < MB_* env < flags', () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'mailbeacon.json'),
      JSON.stringify({ maxMessages: 5, smtp: '127.0.0.1:2525', maxRecipients: 7 }),
    );
    const fromFile = loadSettings({ dataDir: dir }, {});
    expect(fromFile).toMatchObject({ maxMessages: 5, maxRecipients: 7, smtp: { port: 2525 } });
    const fromEnv = loadSettings({ dataDir: dir }, { MB_MAX_MESSAGES: '6', MB_SMTP: '127.0.0.1:2626' });
    expect(fromEnv).toMatchObject({ maxMessages: 6, maxRecipients: 7, smtp: { port: 2626 } });
    const fromFlags = loadSettings(
      { dataDir: dir, ...parseServeFlags(['--max-messages', '8']) },
      { MB_MAX_MESSAGES: '6' },
    );
    expect(fromFlags.maxMessages).toBe(8);
  });

  it('reads --simple-mail-reader as yes or no, on by default, from flags and MB_', () => {
    expect(loadSettings({ dataDir: ':memory:' }, {}).simpleMailReader).toBe(true);
    const off = parseServeFlags(['--simple-mail-reader', 'no']);
    expect(loadSettings({ dataDir: ':memory:', ...off }, {}).simpleMailReader).toBe(false);
    expect(loadSettings({ dataDir: ':memory:' }, { MB_SIMPLE_MAIL_READER: 'no' }).simpleMailReader).toBe(
      false,
    );
    expect(problemsOf(() => loadSettings({ dataDir: ':memory:', simpleMailReader: 'maybe' }, {}))).toEqual([
      expect.stringMatching(/^\[smtp\] --simple-mail-reader: /),
    ]);
  });

  it('reads --tracking-thread as yes or no, and leaves the default to the core count', () => {
    expect(loadSettings({ dataDir: ':memory:' }, {}).trackingThread).toBeUndefined();
    const off = parseServeFlags(['--tracking-thread', 'no']);
    expect(loadSettings({ dataDir: ':memory:', ...off }, {}).trackingThread).toBe(false);
    expect(loadSettings({ dataDir: ':memory:' }, { MB_TRACKING_THREAD: 'yes' }).trackingThread).toBe(true);
    expect(problemsOf(() => loadSettings({ dataDir: ':memory:', trackingThread: 'maybe' }, {}))).toEqual([
      expect.stringMatching(/^\[tracking\] --tracking-thread: /),
    ]);
  });

  it('reports every problem at once, tagged with its subsystem', () => {
    const problems = problemsOf(() =>
      loadSettings(
        { dataDir: ':memory:', smtp: 'nonsense', maxRecipients: '-1', relay: 'http://x', hubHeartbeat: 'x' },
        {},
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\[smtp\] --smtp: "nonsense" is not ADDR:PORT/),
        expect.stringMatching(/^\[smtp\] --max-recipients: /),
        expect.stringMatching(/^\[relay\] --relay: /),
        expect.stringMatching(/^\[hub\] --hub-heartbeat: /),
      ]),
    );
  });

  it('refuses unknown flags and a broken config file clearly', () => {
    expect(problemsOf(() => parseServeFlags(['--smtpp', 'x']))[0]).toMatch(/^\[config\] .*--smtpp/);
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    writeFileSync(join(dir, 'mailbeacon.json'), '{ not json');
    expect(problemsOf(() => loadSettings({ dataDir: dir }, {}))[0]).toMatch(/^\[config\] .*mailbeacon\.json/);
  });
});

/** Runs the CLI and collects its output. */
function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('mailbeacon serve', () => {
  it('--help lists every flag', async () => {
    const run = runCli(['serve', '--help']);
    expect(await run.exited).toBe(0);
    for (const flag of SERVE_FLAGS) expect(run.output().stdout).toContain(`--${flag.name}`);
  });

  it('--help groups the flags by topic: what a first run needs on the first screen, tuning last', async () => {
    const run = runCli(['serve', '--help']);
    expect(await run.exited).toBe(0);
    const help = run.output().stdout;
    const headings = help.split('\n').filter((line) => /^\S.*:$/.test(line));
    expect(headings).toEqual([
      'SMTP:',
      'UI and API:',
      'Tracking:',
      'Relay to a real SMTP server:',
      'Webhooks:',
      'Checks:',
      'POP3 (read caught mail in a mail client):',
      'Storage:',
      'Live updates (Mercure hub):',
      'Output:',
      'Advanced tuning:',
    ]);
    // A terminal's first screen: the SMTP and UI flags, the TLS switches among them, nothing of the tuning.
    const firstScreen = help.split('\n').slice(0, 40).join('\n');
    for (const flag of ['--smtp ', '--smtp-tls ', '--smtps ', '--http ', '--ui-auth '])
      expect(firstScreen).toContain(flag);
    const tuning = help.slice(help.indexOf('Advanced tuning:'));
    for (const flag of ['--ingest-threads', '--max-connections', '--smtp-command-timeout', '--hub-history'])
      expect(tuning).toContain(flag);
    // Wrapped to the width a pipe gets, each flag listed once.
    const flagLines = help.split('\n').filter((line) => line.startsWith('  '));
    expect(Math.max(...flagLines.map((line) => line.length))).toBeLessThanOrEqual(100);
    for (const flag of SERVE_FLAGS)
      expect(
        flagLines.filter((line) => line.startsWith(`  --${flag.name} `) || line === `  --${flag.name}`),
      ).toHaveLength(1);
  });

  it('exits 2 with a tagged message on a bad flag value', async () => {
    const run = runCli(['serve', '--smtp', 'localhost', '--data-dir', ':memory:']);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/\[smtp\] --smtp: "localhost" is not ADDR:PORT/);
  });

  it('prints its real addresses as one JSON line with port 0, and stops cleanly on SIGTERM', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const run = runCli([
      'serve',
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--tracking',
      '127.0.0.1:0',
      '--data-dir',
      dir,
      '--json',
    ]);
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no JSON line; stderr: ${run.output().stderr}`)),
        30_000,
      );
      createInterface({ input: run.child.stdout }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    const addresses = JSON.parse(line) as { smtp: string; http: string; tracking: string };
    expect(addresses.smtp).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(addresses.smtp).not.toMatch(/:0$/);
    const info = (await (await fetch(`${addresses.http}/api/v1/info`)).json()) as {
      Listeners: { smtp: string };
    };
    expect(info.Listeners.smtp).toBe(addresses.smtp);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('refuses a port in use with a clear message', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    cleanups.push(() => blocker.close());
    const run = runCli([
      'serve',
      '--smtp',
      `127.0.0.1:${port}`,
      '--http',
      '127.0.0.1:0',
      '--tracking',
      '127.0.0.1:0',
      '--data-dir',
      ':memory:',
    ]);
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toContain(
      `[smtp] port ${port} on 127.0.0.1 is in use (EADDRINUSE); another mail catcher such as Mailpit may be running: choose another with --smtp`,
    );
  });
});
