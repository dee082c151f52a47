import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PORT_ATTEMPTS, startWithPortRecovery } from '../../src-main/app/start-sandbox.js';
import type { Listeners } from '../../src-main/app/ports.js';
import { loadSettings } from '../../src-main/config/load.js';
import { createLogger } from '../../src-main/logger.js';
import { Sandbox } from '../../src-main/sandbox.js';
import { recordingLogger } from './stand-ins.js';

const HOST = '127.0.0.1';
const servers: Server[] = [];
const sandboxes: Sandbox[] = [];

afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function occupy(): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, HOST, () => resolve((server.address() as { port: number }).port)),
  );
}

/** The first line a listener says, e.g. an SMTP greeting. */
function greeting(address: string): Promise<string> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no greeting')));
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString('utf8'));
    });
    socket.once('error', reject);
  });
}

const settingsWith = (smtpPort: number) =>
  loadSettings(
    {
      dataDir: ':memory:',
      smtp: `${HOST}:${smtpPort}`,
      http: `${HOST}:0`,
      tracking: `${HOST}:0`,
      quiet: true,
    },
    {},
  );

const create = (settings: ReturnType<typeof loadSettings>) => {
  const sandbox = new Sandbox(settings, { logger: createLogger('silent') });
  sandboxes.push(sandbox);
  return sandbox;
};

describe('starting the sandbox with a port taken', () => {
  it('offers free ports, remembers the choice and starts on them', async () => {
    const taken = await occupy();
    const remembered: Listeners[] = [];
    const dialogs: string[] = [];
    const { logger } = recordingLogger();
    const started = await startWithPortRecovery({
      settings: settingsWith(taken),
      create,
      dialog: {
        showMessageBox: async (options: Electron.MessageBoxOptions) => {
          dialogs.push(options.message);
          return { response: 0, checkboxChecked: false };
        },
      } as never,
      remember: (listeners) => remembered.push(listeners),
      logger,
    });

    expect(started).not.toBeNull();
    expect(dialogs).toEqual([`SMTP port ${HOST}:${taken} is already in use.`]);
    const port = started!.settings.smtp.port;
    expect(port).not.toBe(taken);
    expect(remembered).toEqual([
      { smtp: { host: HOST, port }, http: { host: HOST, port: 0 }, tracking: { host: HOST, port: 0 } },
    ]);
    expect(started!.addresses.smtp).toBe(`${HOST}:${port}`);
    expect(await greeting(started!.addresses.smtp)).toMatch(/^220 /);
  });

  it('resolves to null (and starts nothing) when the user chooses to quit', async () => {
    const taken = await occupy();
    const { logger } = recordingLogger();
    const started = await startWithPortRecovery({
      settings: settingsWith(taken),
      create,
      dialog: { showMessageBox: async () => ({ response: 1, checkboxChecked: false }) } as never,
      remember: () => {
        throw new Error('nothing was chosen');
      },
      logger,
    });
    expect(started).toBeNull();
  });

  it(`gives up after ${MAX_PORT_ATTEMPTS} conflicts instead of asking forever`, async () => {
    const taken = await occupy();
    let asked = 0;
    const { logger } = recordingLogger();
    const attempt = startWithPortRecovery({
      // Whatever ports the user accepts, something has already taken them.
      settings: settingsWith(taken),
      create: (settings) => create({ ...settings, smtp: { host: HOST, port: taken } }),
      dialog: {
        showMessageBox: async () => {
          asked++;
          return { response: 0, checkboxChecked: false };
        },
      } as never,
      remember: () => undefined,
      logger,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'EADDRINUSE', listener: 'smtp' });
    expect(asked).toBe(MAX_PORT_ATTEMPTS - 1);
  });
});
