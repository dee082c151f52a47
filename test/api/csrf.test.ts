import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src-main/hub/jwt.js';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { hostOf, raw } from './raw.js';

const HUB_KEY = 'a-hub-key-for-the-csrf-tests-long-enough';
const FOREIGN = 'https://attacker.example';

describe('state-changing requests a page on another site could send', () => {
  let t: TestSandbox;
  let own: string;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:', hubJwtKey: HUB_KEY });
    own = `http://${hostOf(t.http)}`;
    await smtpTransport(t).sendMail({ from: 'a@x.test', to: 'b@x.test', subject: 'keep me', text: 'hi' });
  });
  afterAll(() => t.stop());

  const total = async () =>
    ((await (await fetch(`${t.http}/api/v1/messages`)).json()) as { total: number }).total;

  // The body-less retry routes answer 400 (nothing configured) once past the check: 403 means refused before.
  it.each([
    ['POST', '/api/v1/relay/1/retry'],
    ['POST', '/api/v1/webhooks/deliveries/1/retry'],
    ['DELETE', '/api/v1/messages'],
    ['PUT', '/api/v1/messages'],
    ['DELETE', '/api/v1/search?query=keep'],
    ['POST', '/api/v1/send'],
  ])('refuses a simple cross-site %s %s with 403', async (method, path) => {
    for (const headers of <Record<string, string>[]>[
      // fetch(…, {mode: 'no-cors'}) from another site: no content type or a "simple" one, a foreign Origin.
      { Origin: FOREIGN },
      { Origin: FOREIGN, 'Content-Type': 'text/plain;charset=UTF-8' },
      { Origin: FOREIGN, 'Content-Type': 'application/x-www-form-urlencoded' },
      { Origin: 'null', 'Content-Type': 'multipart/form-data; boundary=x' },
      // A page that suppresses Origin still has its Referer, or the browser's own Fetch Metadata.
      { Referer: `${FOREIGN}/page` },
      { 'Sec-Fetch-Site': 'cross-site' },
      // Another app on this machine is another origin too.
      { Origin: 'http://127.0.0.1:1' },
    ]) {
      const res = await raw(t.http, path, { method, headers: { ...headers }, body: 'IDs=x' });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ Error: expect.stringMatching(/cross-site .* refused/) });
    }
    expect(await total()).toBe(1);
  });

  it("lets the app's own origin, JSON bodies and programs without a browser's headers through", async () => {
    const retry = '/api/v1/relay/1/retry';
    for (const headers of <Record<string, string>[]>[
      { Origin: own },
      { Referer: `${own}/message/x` },
      { 'Sec-Fetch-Site': 'same-origin' },
      { Origin: own.replace('127.0.0.1', 'localhost') },
      // What the renderer's own client sends, and what a cross-site page cannot send without a preflight.
      { 'Content-Type': 'application/json', Origin: FOREIGN },
      {},
    ]) {
      const json = 'Content-Type' in headers;
      const res = await raw(t.http, retry, { method: 'POST', headers, body: json ? '{}' : undefined });
      expect(res.status, JSON.stringify(headers)).toBe(400);
      expect(res.body).toMatch(/no relay is configured/);
    }
    const marked = await raw(t.http, '/api/v1/messages', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Origin: own },
      body: JSON.stringify({ Read: true }),
    });
    expect(marked.status).toBe(200);
  });

  it('lets GET and HEAD through from anywhere: they change nothing', async () => {
    expect((await raw(t.http, '/api/v1/messages', { headers: { Origin: FOREIGN } })).status).toBe(200);
  });

  describe("the hub's publish endpoint (form-encoded by the protocol)", () => {
    const form = 'topic=urn:test:csrf&data=x';
    it('accepts a JWT in the Authorization header from any origin: a page cannot have it', async () => {
      const jwt = await mintToken(HUB_KEY, { publish: ['*'] });
      const res = await raw(t.http, '/.well-known/mercure', {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${jwt}`,
          Origin: FOREIGN,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    });

    it('refuses a cookie-authorized post from a foreign origin or without any', async () => {
      const jwt = await mintToken(HUB_KEY, { publish: ['*'] });
      const cookie = `mercureAuthorization=${jwt}`;
      const type = 'application/x-www-form-urlencoded';
      for (const headers of <Record<string, string>[]>[{ Origin: FOREIGN }, {}]) {
        const res = await raw(t.http, '/.well-known/mercure', {
          method: 'POST',
          headers: { Cookie: cookie, 'Content-Type': type, ...headers },
          body: form,
        });
        expect(res.status, JSON.stringify(headers)).toBe(403);
      }
      const mine = await raw(t.http, '/.well-known/mercure', {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': type, Origin: own },
        body: form,
      });
      expect(mine.status).toBe(200);
    });
  });

  it("keeps the tracking listener's one-click unsubscribe open to mailbox providers (RFC 8058)", async () => {
    const minted = await raw(t.http, '/api/v1/tracking/mint', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'unsub', url: 'https://shop.test/unsubscribe' }),
    });
    const { url } = JSON.parse(minted.body) as { url: string };
    const target = new URL(url);
    const res = await raw(t.tracking, `${target.pathname}${target.search}`, {
      method: 'POST',
      headers: {
        Origin: 'https://mail.google.com',
        'Sec-Fetch-Site': 'cross-site',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
  });
});
