import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { loadSettings } from '../../src-main/config/load.js';
import { startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { portOf, raw } from '../api/raw.js';

describe('the UI/API/hub listener answers only its own names (DNS rebinding)', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:', allowedHosts: ['mb.test', 'pinned.test:9999'] });
  });
  afterAll(() => t.stop());

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])(
    'answers %s with the listener port',
    async (name) => {
      const res = await raw(t.http, '/api/v1/info', { headers: { Host: `${name}:${portOf(t.http)}` } });
      expect(res.status).toBe(200);
    },
  );

  it.each([
    ['a rebound name', 'attacker.example'],
    ['a rebound name with our port', `attacker.example:PORT`],
    ['a loopback name on another port', 'localhost:1'],
    ['an allowed name on a port it was not allowed for', 'pinned.test:1'],
    ['a name that only ends like ours', 'evil-localhost:PORT'],
    ['garbage', 'a b'],
  ])('refuses %s with 421 naming the flag', async (_what, host) => {
    for (const path of ['/api/v1/info', '/', '/.well-known/mercure?topic=*', '/api/v1/messages']) {
      const res = await raw(t.http, path, { headers: { Host: host.replace('PORT', portOf(t.http)) } });
      expect(res.status, path).toBe(421);
      expect(res.body).toMatch(/--allowed-hosts/);
      expect(res.body.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses a request without a Host header', async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(portOf(t.http)), '127.0.0.1');
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.write('GET /api/v1/info HTTP/1.0\r\n\r\n');
    });
    expect(res).toMatch(/^HTTP\/1\.[01] 421 /);
  });

  it('answers names given with --allowed-hosts (any port, or the one named)', async () => {
    expect(
      (await raw(t.http, '/api/v1/info', { headers: { Host: `mb.test:${portOf(t.http)}` } })).status,
    ).toBe(200);
    expect((await raw(t.http, '/api/v1/info', { headers: { Host: 'mb.test' } })).status).toBe(200);
    expect((await raw(t.http, '/api/v1/info', { headers: { Host: 'pinned.test:9999' } })).status).toBe(200);
  });

  it('reads the list from the flag, MB_ALLOWED_HOSTS and mailbeacon.json alike, and refuses a malformed entry', () => {
    const fromEnv = loadSettings({ dataDir: ':memory:' }, { MB_ALLOWED_HOSTS: 'a.test, b.test:8025' });
    expect(fromEnv.allowedHosts).toEqual(['a.test', 'b.test:8025']);
    expect(loadSettings({ dataDir: ':memory:', allowedHosts: ['c.test'] }, {}).allowedHosts).toEqual([
      'c.test',
    ]);
    expect(() => loadSettings({ dataDir: ':memory:', allowedHosts: ['http://x.test/'] }, {})).toThrow(
      /\[http\] --allowed-hosts/,
    );
  });
});

describe.each([
  ['on the main thread', 'no'],
  ['on its own thread', 'yes'],
])('the tracking listener %s', (_where, trackingThread) => {
  it('answers only loopback names and --allowed-hosts when its URL is loopback', async () => {
    const t = await startSandbox({ dataDir: ':memory:', trackingThread, allowedHosts: ['mb.test'] });
    try {
      const port = portOf(t.tracking);
      const pixel = await raw(t.tracking, '/o?t=nonsense', { headers: { Host: `localhost:${port}` } });
      expect(pixel.status).not.toBe(421);
      expect((await raw(t.tracking, '/o?t=nonsense', { headers: { Host: 'mb.test' } })).status).not.toBe(421);
      const rebound = await raw(t.tracking, '/o?t=nonsense', {
        headers: { Host: `attacker.example:${port}` },
      });
      expect(rebound.status).toBe(421);
      expect(rebound.body).toMatch(/--allowed-hosts/);
    } finally {
      await t.stop();
    }
  });

  it('answers any name when --tracking-url is public (links in mail arrive through a tunnel)', async () => {
    const t = await startSandbox({
      dataDir: ':memory:',
      trackingThread,
      trackingUrl: 'https://links.example.net',
    });
    try {
      for (const host of ['links.example.net', 'whatever.example', `127.0.0.1:${portOf(t.tracking)}`]) {
        const res = await raw(t.tracking, '/o?t=nonsense', { headers: { Host: host } });
        expect(res.status, host).not.toBe(421);
      }
      // The UI/API listener keeps its own rule.
      expect((await raw(t.http, '/api/v1/info', { headers: { Host: 'links.example.net' } })).status).toBe(
        421,
      );
    } finally {
      await t.stop();
    }
  });

  it("answers a loopback --tracking-url's own name", async () => {
    const t = await startSandbox({
      dataDir: ':memory:',
      trackingThread,
      trackingUrl: 'http://track.localhost:8026',
    });
    try {
      expect(
        (await raw(t.tracking, '/o?t=x', { headers: { Host: 'track.localhost:8026' } })).status,
      ).not.toBe(421);
      expect((await raw(t.tracking, '/o?t=x', { headers: { Host: 'other.localhost:8026' } })).status).toBe(
        421,
      );
    } finally {
      await t.stop();
    }
  });
});
