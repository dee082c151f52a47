// Runs the real desktop entry (src-main/app/index.ts) in a Node child process, with the `electron` import pointed at
// a recording stand-in (fixtures/electron-stand-in.mjs) and a real Sandbox listening on 127.0.0.1. Shows the
// entry wires the pieces together: data in userData, window on the sandbox's URL, tray, notifications, IPC, quit.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../src-main/preload/channels.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'src-main/app/index.ts');
const HOOK = join(import.meta.dirname, 'fixtures/electron-hook.mjs');
/** Long enough for a cold start of the sandbox under tsx on a slow CI machine; only a hang ever reaches it. */
const WAIT_MS = 30_000;

interface Report {
  type: string;
  [key: string]: unknown;
}

class DesktopProcess {
  readonly reports: Report[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];
  stderr = '';

  constructor(
    readonly appData: string,
    env: Record<string, string> = {},
  ) {
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MB_')));
    this.child = fork(ENTRY, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--import', HOOK],
      env: {
        ...cleanEnv,
        MB_SMTP: '127.0.0.1:0',
        MB_HTTP: '127.0.0.1:0',
        MB_TRACKING: '127.0.0.1:0',
        STANDIN_APP_DATA: appData,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.on('message', (message: Report) => {
      this.reports.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first report of `type` (after `from`) matching `match`; fails the test if none comes. */
  async waitFor(type: string, match: (r: Report) => boolean = () => true, from = 0): Promise<Report> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.reports.slice(from).find((r) => r.type === type && match(r));
      if (found) return found;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `no "${type}" report; got ${JSON.stringify(this.reports.map((r) => r.type))}\n${this.stderr}`,
        );
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  send(message: object): void {
    this.child.send(message);
  }

  async invoke(
    channel: string,
    frameUrl: string,
    args: unknown[] = [],
    foreignContents = false,
  ): Promise<Report> {
    const from = this.reports.length;
    this.send({ cmd: 'invoke', channel, frameUrl, args, foreignContents });
    return this.waitFor('invoke-result', () => true, from);
  }
}

const running: DesktopProcess[] = [];
const dirs: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const app of running.splice(0)) {
    if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await app.exited;
  }
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function launch(env: Record<string, string> = {}, prepare?: (appData: string) => void): DesktopProcess {
  const appData = mkdtempSync(join(tmpdir(), 'mb-desktop-'));
  dirs.push(appData);
  prepare?.(appData);
  const app = new DesktopProcess(appData, env);
  running.push(app);
  return app;
}

describe('the desktop entry', () => {
  it('starts the sandbox in userData and shows its UI in a locked-down window', async () => {
    const app = launch();
    const userData = join(app.appData, 'Mailbeacon');
    expect((await app.waitFor('setPath')).path).toBe(userData);
    expect((await app.waitFor('lock')).granted).toBe(true);

    const window = await app.waitFor('window');
    expect((window.options as { webPreferences: object }).webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(
      String((window.options as { webPreferences: { preload: string } }).webPreferences.preload),
    ).toMatch(/preload[\\/]index\.cjs$/);
    await app.waitFor('csp-installed');

    const loaded = await app.waitFor('loadURL');
    expect(loaded.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/?$/);
    expect(loaded.infoStatus).toBe(200);
    expect(existsSync(join(userData, 'mailbeacon.db'))).toBe(true);

    const tray = await app.waitFor('tray');
    expect(tray.exists).toBe(true);
    expect(String((await app.waitFor('tray-tooltip')).tooltip)).toMatch(
      /^Mailbeacon — 0 unread mails · SMTP 127\.0\.0\.1:\d+$/,
    );
    expect((await app.waitFor('applicationMenu')).labels).toContain('View');
  });

  it('notifies about new mail and counts it in the tray', async () => {
    const app = launch();
    await app.waitFor('loadURL');
    const tooltip = String((await app.waitFor('tray-tooltip')).tooltip);
    const port = Number(/SMTP 127\.0\.0\.1:(\d+)/.exec(tooltip)![1]);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
    await transport.sendMail({
      from: 'Acme Shop <shop@acme.test>',
      to: 'ann@example.org',
      subject: 'Welcome to Acme',
      html: '<p>Hi <a href="https://acme.test/start">start</a></p>',
    });
    transport.close();

    const notice = await app.waitFor('notification');
    expect(notice).toMatchObject({ title: 'New mail from Acme Shop', body: 'Welcome to Acme' });
    await app.waitFor('tray-tooltip', (r) => String(r.tooltip).includes('1 unread mail ·'));

    app.send({ cmd: 'tray', id: 'copy-smtp' });
    expect((await app.waitFor('clipboard')).text).toBe(`127.0.0.1:${port}`);
  });

  it('answers IPC from its window and refuses other frames', async () => {
    const app = launch();
    const { url } = await app.waitFor('loadURL');
    const origin = new URL(String(url)).origin;

    expect((await app.invoke(IPC_CHANNELS.appVersion, `${origin}/`)).value).toBe('0.0.0-test');
    const prefs = { newMail: false, firstOpen: true, firstClick: true };
    expect(
      (await app.invoke(IPC_CHANNELS.setNotificationPrefs, `${origin}/settings`, [prefs])).value,
    ).toEqual(prefs);
    const stored = JSON.parse(
      readFileSync(join(app.appData, 'Mailbeacon', 'desktop-preferences.json'), 'utf8'),
    );
    expect(stored.notifications).toEqual(prefs);

    expect((await app.invoke(IPC_CHANNELS.appVersion, 'https://evil.test/')).error).toMatch(
      /not the Mailbeacon window/,
    );
    expect((await app.invoke(IPC_CHANNELS.appVersion, `${origin}/`, [], true)).error).toMatch(
      /not the Mailbeacon window/,
    );
    expect((await app.invoke(IPC_CHANNELS.revealDataFolder, `${origin}/`)).error).toBeUndefined();
    expect((await app.waitFor('openPath')).path).toBe(join(app.appData, 'Mailbeacon'));
  });

  it("asks before opening a mail's link to a local address, and opens other links at once", async () => {
    const app = launch();
    const { url } = await app.waitFor('loadURL');
    const tooltip = String((await app.waitFor('tray-tooltip')).tooltip);
    const port = Number(/SMTP 127\.0\.0\.1:(\d+)/.exec(tooltip)![1]);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
    await transport.sendMail({
      from: 'shop@acme.test',
      to: 'ann@example.org',
      subject: 'Links',
      html: '<p><a href="https://acme.test/start">start</a> <a href="http://192.168.1.1/admin">router</a></p>',
    });
    transport.close();
    const api = (path: string) =>
      fetch(new URL(path, String(url))).then((r) => r.json() as Promise<Record<string, any>>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const { messages } = await api('/api/v1/messages');
    const { links } = await api(`/api/v1/message/${messages[0].ID}/tracking`);
    const tracked = (original: string) =>
      (links as { originalUrl: string; trackedUrl: string }[]).find((l) => l.originalUrl === original)!
        .trackedUrl;
    expect(tracked('https://acme.test/start')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\?t=/);

    // A tracked public link: straight to the browser, tracking link and all (the click is counted).
    let from = app.reports.length;
    app.send({ cmd: 'window-open', url: tracked('https://acme.test/start') });
    expect((await app.waitFor('window-open-result', () => true, from)).result).toEqual({ action: 'deny' });
    expect((await app.waitFor('openExternal', () => true, from)).url).toBe(
      tracked('https://acme.test/start'),
    );
    expect(app.reports.slice(from).some((r) => r.type === 'dialog')).toBe(false);

    // A tracked link to the local network: the dialog shows where it leads; the user agreed (the stand-in's answer).
    from = app.reports.length;
    app.send({ cmd: 'window-open', url: tracked('http://192.168.1.1/admin') });
    const dialog = await app.waitFor('dialog', () => true, from);
    expect(String(dialog.detail)).toContain('http://192.168.1.1/admin');
    expect((await app.waitFor('openExternal', () => true, from)).url).toBe(
      tracked('http://192.168.1.1/admin'),
    );
  });

  it('opens nothing local when the user declines', async () => {
    const app = launch({ STANDIN_DIALOG_RESPONSE: '1' });
    await app.waitFor('loadURL');
    const from = app.reports.length;
    app.send({ cmd: 'window-open', url: 'http://localhost:3000/admin' });
    expect(String((await app.waitFor('dialog', () => true, from)).detail)).toContain(
      'http://localhost:3000/admin',
    );
    app.send({ cmd: 'window-open', url: 'https://acme.test/after' });
    await app.waitFor('openExternal', () => true, from);
    expect(
      app.reports
        .slice(from)
        .filter((r) => r.type === 'openExternal')
        .map((r) => r.url),
    ).toEqual(['https://acme.test/after']);
  });

  it('permits notifications to its own page only, and guards every other web contents', async () => {
    const app = launch();
    const { url } = await app.waitFor('loadURL');
    const ask = async (permission: string, pageUrl: string) => {
      const from = app.reports.length;
      app.send({ cmd: 'permission', permission, url: pageUrl });
      const { granted, checked } = await app.waitFor('permission-result', () => true, from);
      return { granted, checked };
    };
    expect(await ask('notifications', String(url))).toEqual({ granted: true, checked: true });
    expect(await ask('media', String(url))).toEqual({ granted: false, checked: false });
    expect(await ask('geolocation', String(url))).toEqual({ granted: false, checked: false });
    expect(await ask('notifications', 'https://evil.test/')).toEqual({ granted: false, checked: false });

    app.send({ cmd: 'guest', url: 'https://evil.test/' });
    expect(await app.waitFor('guest-result')).toMatchObject({
      navigationPrevented: true,
      webviewPrevented: true,
      windowOpen: { action: 'deny' },
    });
  });

  it('opens the Settings route from the Preferences menu item', async () => {
    const app = launch();
    await app.waitFor('loadURL');
    app.send({ cmd: 'menu', id: 'preferences' });
    expect((await app.waitFor('executeJavaScript')).code).toBe('location.hash = "#/settings";');
  });

  it('holds the quit until the sandbox has stopped, then exits cleanly', async () => {
    const app = launch();
    const { url } = await app.waitFor('loadURL');
    app.send({ cmd: 'quit' });
    expect((await app.waitFor('before-quit')).prevented).toBe(true);
    await app.waitFor('before-quit', (r) => r.prevented === false);
    expect(await app.exited).toBe(0);
    // The listener is closed: nothing answers on the UI's address any more.
    await expect(fetch(new URL('/api/v1/info', String(url)))).rejects.toThrow();
  });

  it('offers free ports when one is taken, and remembers the choice', async () => {
    const taken = createServer();
    servers.push(taken);
    const port = await new Promise<number>((r) =>
      taken.listen(0, '127.0.0.1', () => r((taken.address() as { port: number }).port)),
    );
    const app = launch({ MB_SMTP: `127.0.0.1:${port}` });

    const dialog = await app.waitFor('dialog');
    expect(dialog.message).toBe(`SMTP port 127.0.0.1:${port} is already in use.`);
    await app.waitFor('loadURL');
    const tooltip = String((await app.waitFor('tray-tooltip')).tooltip);
    const chosen = Number(/SMTP 127\.0\.0\.1:(\d+)/.exec(tooltip)![1]);
    expect(chosen).not.toBe(port);
    const stored = JSON.parse(
      readFileSync(join(app.appData, 'Mailbeacon', 'desktop-preferences.json'), 'utf8'),
    );
    expect(stored.listeners.smtp).toBe(`127.0.0.1:${chosen}`);
  });

  it('quits without starting anything when the user declines the free ports', async () => {
    const taken = createServer();
    servers.push(taken);
    const port = await new Promise<number>((r) =>
      taken.listen(0, '127.0.0.1', () => r((taken.address() as { port: number }).port)),
    );
    const app = launch({ MB_SMTP: `127.0.0.1:${port}`, STANDIN_DIALOG_RESPONSE: '1' });
    await app.waitFor('dialog');
    expect(await app.exited).toBe(0);
    expect(app.reports.some((r) => r.type === 'window')).toBe(false);
  });

  it("answers the UI's basic-auth challenge with the configured credentials", async () => {
    const app = launch({ MB_UI_AUTH: 'dev:s3cret' });
    expect((await app.waitFor('login')).answered).toBe(true);
    expect((await app.waitFor('loadURL')).infoStatus).toBe(200);
  });

  it('shows a configuration problem in an error box and exits with a failure', async () => {
    const app = launch({ MB_MAX_MESSAGES: 'lots' });
    const box = await app.waitFor('error-box');
    expect(box.title).toBe('Mailbeacon could not start');
    expect(box.content).toMatch(/^\[db\] --max-messages: .*"lots"/);
    expect(await app.exited).toBe(1);
    expect(app.reports.some((r) => r.type === 'window')).toBe(false);
  });

  it('shows why the sandbox could not start in its own words, naming the file', async () => {
    const app = launch({}, (appData) => {
      mkdirSync(join(appData, 'Mailbeacon'), { recursive: true });
      writeFileSync(join(appData, 'Mailbeacon', 'mailbeacon.db'), 'not a database\n'.repeat(64));
    });
    const box = await app.waitFor('error-box');
    expect(box.title).toBe('Mailbeacon could not start');
    expect(box.content).toBe(
      `[db] ${join(app.appData, 'Mailbeacon', 'mailbeacon.db')} is not a database (it does not start with the SQLite header); move it away or choose another --data-dir`,
    );
    expect(await app.exited).toBe(1);
  });

  it('leaves at once when another instance holds the lock', async () => {
    const app = launch({ STANDIN_LOCK: 'taken' });
    expect((await app.waitFor('lock')).granted).toBe(false);
    expect(await app.exited).toBe(0);
    expect(app.reports.some((r) => r.type === 'window')).toBe(false);
  });
});
