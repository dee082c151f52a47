// Runs the real preload (src-main/preload/index.ts) in a Node child process against the recording electron stand-in,
// to see exactly what it hands the page and what reaches the IPC channels.
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../src-main/preload/channels.js';

const ROOT = resolve(import.meta.dirname, '../..');
const HOOK = join(import.meta.dirname, 'fixtures/electron-hook.mjs');
/** Only a hang ever reaches this. */
const WAIT_MS = 30_000;

interface Report {
  type: string;
  [key: string]: unknown;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function runPreload() {
  const reports: Report[] = [];
  const child = fork(join(ROOT, 'src-main/preload/index.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--import', HOOK],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  child.on('message', (r: Report) => reports.push(r));
  const next = (type: string, from = 0) =>
    new Promise<Report>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${type}" report`)), WAIT_MS);
      const check = () => {
        const found = reports.slice(from).find((r) => r.type === type);
        if (!found) return;
        clearTimeout(timer);
        child.off('message', check);
        resolve(found);
      };
      child.on('message', check);
      check();
    });
  const call = async (name: string, ...args: unknown[]) => {
    const from = reports.length;
    child.send({ cmd: 'call-bridge', key: 'mailbeacon', name, args });
    const invoked = await next('ipc-invoke', from);
    await next('bridge-result', from);
    return invoked;
  };
  return { next, call };
}

describe('preload', () => {
  it('exposes its named functions as window.mailbeacon, and nothing else', async () => {
    const preload = runPreload();
    const exposed = await preload.next('exposed');
    expect(exposed.key).toBe('mailbeacon');
    expect(exposed.members).toEqual({
      appVersion: 'function',
      openExternal: 'function',
      revealDataFolder: 'function',
      getNotificationPrefs: 'function',
      setNotificationPrefs: 'function',
      getSmtpTlsPrefs: 'function',
      setSmtpTlsPrefs: 'function',
    });
  });

  it('sends each call on its named channel with only the expected arguments', async () => {
    const preload = runPreload();
    await preload.next('exposed');
    expect(await preload.call('appVersion')).toMatchObject({ channel: IPC_CHANNELS.appVersion, args: [] });
    expect(await preload.call('openExternal', 'https://example.com/')).toMatchObject({
      channel: IPC_CHANNELS.openExternal,
      args: ['https://example.com/'],
    });
    expect(await preload.call('revealDataFolder', '/etc')).toMatchObject({
      channel: IPC_CHANNELS.revealDataFolder,
      args: [],
    });
    // Only the three known fields cross, whatever else the page puts in the object.
    expect(
      await preload.call('setNotificationPrefs', {
        newMail: false,
        firstOpen: true,
        firstClick: true,
        extra: 'x',
      }),
    ).toMatchObject({
      channel: IPC_CHANNELS.setNotificationPrefs,
      args: [{ newMail: false, firstOpen: true, firstClick: true }],
    });
  });
});
