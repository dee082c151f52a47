import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isPortFree,
  portConflictDialog,
  proposeFreePorts,
  resolvePortConflict,
  type Listeners,
  type PortConflictError,
} from '../../src-main/app/ports.js';

const HOST = '127.0.0.1';
const servers: Server[] = [];

/** A real listener holding a port, as Mailpit would. */
function occupy(port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve((server.address() as { port: number }).port));
  });
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Proves a port free the hard way: a real listener binds it. */
async function bindable(port: number): Promise<boolean> {
  try {
    await occupy(port);
    return true;
  } catch {
    return false;
  }
}

const conflict = (listener: PortConflictError['listener'], port: number): PortConflictError =>
  Object.assign(new Error(`[${listener}] ${HOST}:${port} is already in use`), {
    code: 'EADDRINUSE' as const,
    listener,
    address: `${HOST}:${port}`,
  });

describe('port conflicts', () => {
  it('sees a taken port as taken', async () => {
    const taken = await occupy();
    expect(await isPortFree(HOST, taken)).toBe(false);
  });

  it('proposes free ports for every taken listener, and keeps free ones', async () => {
    const smtp = await occupy();
    const http = await occupy();
    const listeners: Listeners = {
      smtp: { host: HOST, port: smtp },
      http: { host: HOST, port: http },
      tracking: { host: HOST, port: 0 },
    };
    const proposals = await proposeFreePorts(listeners, conflict('smtp', smtp));

    const byName = Object.fromEntries(proposals.map((p) => [p.listener, p]));
    expect(byName.smtp!.current).toBe(smtp);
    expect(byName.http!.current).toBe(http);
    expect(byName.smtp!.proposed).not.toBe(smtp);
    expect(byName.http!.proposed).not.toBe(http);
    expect(byName.smtp!.proposed).not.toBe(byName.http!.proposed);
    // Port 0 means "any": never in conflict, left as it is.
    expect(byName.tracking!.proposed).toBe(0);

    // The proposals really are free: real listeners can take them.
    expect(await bindable(byName.smtp!.proposed)).toBe(true);
    expect(await bindable(byName.http!.proposed)).toBe(true);
  });

  it('never proposes a port another listener is configured for', async () => {
    const smtp = await occupy();
    // The listener next door is configured for the port just above the taken one (as 8025/8026 are).
    const listeners: Listeners = {
      smtp: { host: HOST, port: smtp },
      http: { host: HOST, port: smtp + 1 },
      tracking: { host: HOST, port: 0 },
    };
    const proposals = await proposeFreePorts(listeners, conflict('smtp', smtp));
    const proposed = proposals.find((p) => p.listener === 'smtp')!.proposed;
    expect([smtp, smtp + 1]).not.toContain(proposed);
  });

  it('treats the listener named in the error as taken even if it was freed meanwhile', async () => {
    const freed = await occupy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    const listeners: Listeners = {
      smtp: { host: HOST, port: freed },
      http: { host: HOST, port: 0 },
      tracking: { host: HOST, port: 0 },
    };
    const [smtp] = await proposeFreePorts(listeners, conflict('smtp', freed));
    expect(smtp!.proposed).not.toBe(freed);
  });

  it('asks with a dialog naming the taken address and the new ones, and applies the answer', async () => {
    const taken = await occupy();
    const listeners: Listeners = {
      smtp: { host: HOST, port: taken },
      http: { host: HOST, port: 0 },
      tracking: { host: HOST, port: 0 },
    };
    const asked: Electron.MessageBoxOptions[] = [];
    const accept = {
      showMessageBox: async (options: Electron.MessageBoxOptions) => {
        asked.push(options);
        return { response: 0, checkboxChecked: false };
      },
    };
    const chosen = await resolvePortConflict(accept as never, conflict('smtp', taken), listeners);
    expect(chosen).not.toBeNull();
    expect(chosen!.smtp.port).not.toBe(taken);
    expect(chosen!.http).toEqual({ host: HOST, port: 0 });
    expect(await bindable(chosen!.smtp.port)).toBe(true);

    const [dialog] = asked;
    expect(dialog!.message).toBe(`SMTP port ${HOST}:${taken} is already in use.`);
    expect(dialog!.detail).toContain(`SMTP: ${HOST}:${chosen!.smtp.port}  (instead of ${taken})`);
    expect(dialog!.detail).toContain('Mailpit');
    expect(dialog!.buttons).toEqual(['Use these ports', 'Quit']);
    expect(dialog!.cancelId).toBe(1);
  });

  it('resolves to null when the user chooses to quit', async () => {
    const taken = await occupy();
    const listeners: Listeners = {
      smtp: { host: HOST, port: 0 },
      http: { host: HOST, port: taken },
      tracking: { host: HOST, port: 0 },
    };
    const quit = { showMessageBox: async () => ({ response: 1, checkboxChecked: false }) };
    expect(await resolvePortConflict(quit as never, conflict('http', taken), listeners)).toBeNull();
  });

  it('formats IPv6 hosts in brackets', () => {
    const options = portConflictDialog({ ...conflict('tracking', 8026), address: '[::1]:8026' }, [
      { listener: 'tracking', host: '::1', current: 8026, proposed: 8027 },
    ]);
    expect(options.detail).toContain('Tracking links: [::1]:8027  (instead of 8026)');
    expect(options.detail).toContain('Your SMTP address stays the same.');
  });
});
