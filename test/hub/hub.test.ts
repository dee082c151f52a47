import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { mintToken } from '../../src-main/hub/jwt.js';
import { mercureLinkHeader } from '../../src-main/hub/discovery.js';
import { MAX_PUBLISH_BYTES } from '../../src-main/hub/publish.js';
import {
  Client,
  PUBLISHER_KEY,
  SUBSCRIBER_KEY,
  post,
  rawGet,
  startHub,
  subscribeUrl,
  waitFor,
  type TestHub,
} from './helpers.js';

let hubs: TestHub[] = [];
let clients: Client[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  for (const h of hubs) await h.close();
  hubs = [];
  clients = [];
});

async function start(...args: Parameters<typeof startHub>): Promise<TestHub> {
  const h = await startHub(...args);
  hubs.push(h);
  return h;
}

function client(...args: ConstructorParameters<typeof Client>): Client {
  const c = new Client(...args);
  clients.push(c);
  return c;
}

const publisherToken = (selectors = ['*']) => mintToken(PUBLISHER_KEY, { publish: selectors });
const subscriberToken = (selectors = ['*'], payload?: unknown) =>
  mintToken(
    SUBSCRIBER_KEY,
    payload === undefined ? { subscribe: selectors } : { subscribe: selectors, payload },
  );

async function publishHttp(h: TestHub, fields: [string, string][], token?: string) {
  return post(h.hubUrl, fields, { Authorization: `Bearer ${token ?? (await publisherToken())}` });
}

describe('subscribe', () => {
  it('answers with an event stream, no-cache headers and an immediate comment', async () => {
    const h = await start({ anonymous: true });
    const res = await rawGet(subscribeUrl(h.hubUrl, ['foo']));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['cache-control']).toContain('no-cache');
    expect(res.body.startsWith(':')).toBe(true);
  });

  it('sends heartbeat comments', async () => {
    const h = await start({ anonymous: true, heartbeatMs: 20 });
    const res = await rawGet(subscribeUrl(h.hubUrl, ['foo']), {}, ':\n\n:\n\n:\n\n'.length);
    expect(res.body).toBe(':\n\n:\n\n:\n\n');
  });

  it('requires a topic and, unless anonymous, a JWT', async () => {
    const h = await start();
    expect((await rawGet(h.hubUrl, { Authorization: `Bearer ${await subscriberToken()}` })).status).toBe(400);
    const res = await rawGet(subscribeUrl(h.hubUrl, ['foo']));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('refuses a bad JWT even when anonymous subscribers are allowed', async () => {
    const h = await start({ anonymous: true });
    const wrongKey = await mintToken('another-key-another-key-another-key', { subscribe: ['*'] });
    for (const token of ['not-a-jwt', wrongKey]) {
      const res = await rawGet(subscribeUrl(h.hubUrl, ['foo']), { Authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
    }
    const expired = await new SignJWT({ mercure: { subscribe: ['*'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(SUBSCRIBER_KEY));
    const res = await rawGet(subscribeUrl(h.hubUrl, ['foo']), { Authorization: `Bearer ${expired}` });
    expect(res.status).toBe(401);
    expect(res.body).toContain('expired');
    // alg=none must never pass for HS256.
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"mercure":{"subscribe":["*"]}}').toString('base64url')}.`;
    expect((await rawGet(subscribeUrl(h.hubUrl, ['foo']), { Authorization: `Bearer ${none}` })).status).toBe(
      401,
    );
  });

  it('accepts the JWT in the authorization query parameter', async () => {
    const h = await start();
    const c = await client(
      subscribeUrl(h.hubUrl, ['foo'], { authorization: await subscriberToken() }),
    ).open();
    h.hub.publish({ topics: ['foo'], data: 'via query', private: true });
    expect((await c.waitFor((r) => r.data === 'via query')).data).toBe('via query');
  });
});

describe('delivery', () => {
  it('delivers public updates published over HTTP to anonymous subscribers, with the hub id', async () => {
    const h = await start({ anonymous: true });
    const c = await client(subscribeUrl(h.hubUrl, ['https://example.com/books/1'])).open();
    const res = await publishHttp(h, [
      ['topic', 'https://example.com/books/1'],
      ['data', '{"title":"Dune"}'],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    // The body is exactly the id, without a trailing newline, as the reference hub answers.
    const id = res.body;
    expect(id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const got = await c.waitFor(() => true);
    expect(got).toEqual({ id, type: 'message', data: '{"title":"Dune"}' });
  });

  it('delivers private updates only to subscribers whose JWT grants one of the topics', async () => {
    const h = await start({ anonymous: true });
    const topics = ['https://example.com/books/1'];
    const anonymous = await client(subscribeUrl(h.hubUrl, topics)).open();
    const other = await client(subscribeUrl(h.hubUrl, topics), {
      token: await subscriberToken(['https://example.com/books/2']),
    }).open();
    const alternate = 'https://example.com/users/kevin/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1';
    const granted = await client(subscribeUrl(h.hubUrl, ['https://example.com/books/{id}']), {
      token: await subscriberToken(['https://example.com/users/kevin/{?topic}']),
    }).open();

    await publishHttp(h, [
      ['topic', topics[0]!],
      ['topic', alternate],
      ['data', 'secret'],
      ['private', 'on'],
    ]);
    await publishHttp(h, [
      ['topic', topics[0]!],
      ['data', 'public marker'],
    ]);

    for (const c of [anonymous, other, granted]) await c.waitFor((r) => r.data === 'public marker');
    expect(granted.received.map((r) => r.data)).toEqual(['secret', 'public marker']);
    expect(anonymous.received.map((r) => r.data)).toEqual(['public marker']);
    expect(other.received.map((r) => r.data)).toEqual(['public marker']);
  });

  it('matches exact, template and * selectors and nothing else', async () => {
    const h = await start({ anonymous: true });
    const exact = await client(subscribeUrl(h.hubUrl, ['https://example.com/books/1'])).open();
    const template = await client(subscribeUrl(h.hubUrl, ['https://example.com/books/{id}'])).open();
    const all = await client(subscribeUrl(h.hubUrl, ['*'])).open();
    const none = await client(subscribeUrl(h.hubUrl, ['https://example.com/authors/{id}', 'marker'])).open();

    h.hub.publish({ topics: ['https://example.com/books/1'], data: 'book 1' });
    h.hub.publish({ topics: ['https://example.com/books/2'], data: 'book 2' });
    h.hub.publish({ topics: ['https://example.com/books/1/reviews'], data: 'reviews' });
    h.hub.publish({ topics: ['marker'], data: 'marker' });

    await all.waitFor((r) => r.data === 'marker');
    await none.waitFor((r) => r.data === 'marker');
    await template.waitFor((r) => r.data === 'book 2');
    await exact.waitFor((r) => r.data === 'book 1');
    expect(all.received.map((r) => r.data)).toEqual(['book 1', 'book 2', 'reviews', 'marker']);
    expect(none.received.map((r) => r.data)).toEqual(['marker']);
    // The stream is ordered, so once the marker reached `all`, nothing more is on its way to these two.
    expect(template.received.map((r) => r.data)).toEqual(['book 1', 'book 2']);
    expect(exact.received.map((r) => r.data)).toEqual(['book 1']);
  });

  it('round-trips multi-line data, blank lines included, and honours id, type and retry', async () => {
    const h = await start({ anonymous: true });
    const c = await client(subscribeUrl(h.hubUrl, ['foo']), { types: ['book.updated'] }).open();
    const data = 'first line\n\nthird line after a blank one\n  indented: yes\ndata: not a field\n';
    const res = await publishHttp(h, [
      ['topic', 'foo'],
      ['data', data],
      ['id', 'urn:example:revision-42'],
      ['type', 'book.updated'],
      ['retry', '2500'],
    ]);
    expect(res.body.trim()).toBe('urn:example:revision-42');
    const got = await c.waitFor(() => true);
    expect(got).toEqual({ id: 'urn:example:revision-42', type: 'book.updated', data });
    // CR LF and lone CR are line breaks too; clients give them back as LF.
    h.hub.publish({ topics: ['foo'], data: 'a\r\nb\rc' });
    expect((await c.waitFor((r) => r.data.startsWith('a'))).data).toBe('a\nb\nc');
  });

  it('writes the SSE fields on the wire as specified', async () => {
    const h = await start({ anonymous: true });
    const url = subscribeUrl(h.hubUrl, ['foo']);
    const expected = ':\n\nid: x1\nevent: t\nretry: 10\ndata: a\ndata: \ndata: b\n\n';
    const pending = rawGet(url, {}, expected.length);
    await waitFor('the subscriber', () => (h.hub.subscriberCount === 1 ? true : undefined));
    h.hub.publish({ topics: ['foo'], data: 'a\n\nb', id: 'x1', type: 't', retry: 10 });
    expect((await pending).body).toBe(expected);
  });
});

describe('publish', () => {
  it('refuses CR, LF or NUL in id, type and topic, type=mercure, #ids and duplicates', async () => {
    const h = await start();
    const token = await publisherToken();
    const bad: [string, string][][] = [
      [['topic', 'foo\nid: forged']],
      [['topic', 'foo\r']],
      [['topic', 'foo\0']],
      [
        ['topic', 'foo'],
        ['id', 'a\nb'],
      ],
      [
        ['topic', 'foo'],
        ['id', 'a\rb'],
      ],
      [
        ['topic', 'foo'],
        ['id', 'a\0b'],
      ],
      [
        ['topic', 'foo'],
        ['type', 'x\ndata: forged'],
      ],
      [
        ['topic', 'foo'],
        ['type', 'x\0'],
      ],
      [
        ['topic', 'foo'],
        ['type', 'mercure'],
      ],
      [
        ['topic', 'foo'],
        ['id', '#1'],
      ],
      [
        ['topic', 'foo'],
        ['retry', '-1'],
      ],
      [['data', 'no topic']],
    ];
    for (const fields of bad) {
      const res = await publishHttp(h, fields, token);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.body).toMatch(/^\[hub\] /);
    }
    expect(
      (
        await publishHttp(
          h,
          [
            ['topic', 'foo'],
            ['id', 'dup'],
          ],
          token,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await publishHttp(
          h,
          [
            ['topic', 'foo'],
            ['id', 'dup'],
          ],
          token,
        )
      ).status,
    ).toBe(409);
    const big = await publishHttp(
      h,
      [
        ['topic', 'foo'],
        ['data', 'x'.repeat(MAX_PUBLISH_BYTES)],
      ],
      token,
    );
    expect(big.status).toBe(413);
    const form = await fetch(h.hubUrl, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(form.status).toBe(415);
  });

  it('answers 401 without a valid publisher JWT and 403 for topics it does not grant', async () => {
    const h = await start({ anonymous: true });
    const watcher = await client(subscribeUrl(h.hubUrl, ['*'])).open();
    expect((await post(h.hubUrl, [['topic', 'foo']])).status).toBe(401);
    const subscriberOnly = await subscriberToken();
    expect((await publishHttp(h, [['topic', 'foo']], subscriberOnly)).status).toBe(401);
    const noClaim = await mintToken(PUBLISHER_KEY, { subscribe: ['*'] });
    expect((await publishHttp(h, [['topic', 'foo']], noClaim)).status).toBe(403);
    const limited = await publisherToken(['https://example.com/books/{id}']);
    const partly = await publishHttp(
      h,
      [
        ['topic', 'https://example.com/books/1'],
        ['topic', 'other'],
        ['data', 'x'],
      ],
      limited,
    );
    expect(partly.status).toBe(403);
    const ok = await publishHttp(
      h,
      [
        ['topic', 'https://example.com/books/1'],
        ['data', 'allowed'],
      ],
      limited,
    );
    expect(ok.status).toBe(200);
    await watcher.waitFor((r) => r.data === 'allowed');
    expect(watcher.received.map((r) => r.data)).toEqual(['allowed']);
  });
});

describe('cookie authorization', () => {
  it('accepts the mercureAuthorization cookie from the same origin and refuses foreign origins', async () => {
    const h = await start({ corsOrigins: ['http://allowed.example'] });
    const cookie = (await h.hub.subscriberCookie()).split(';')[0]!;
    const url = subscribeUrl(h.hubUrl, ['foo']);
    expect((await rawGet(url, { Cookie: cookie })).status).toBe(200);
    expect((await rawGet(url, { Cookie: cookie, Origin: h.base })).status).toBe(200);
    expect((await rawGet(url, { Cookie: cookie, Referer: `${h.base}/inbox` })).status).toBe(200);
    expect((await rawGet(url, { Cookie: cookie, Origin: 'http://allowed.example' })).status).toBe(200);
    expect((await rawGet(url, { Cookie: cookie, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await rawGet(url, { Cookie: cookie, Referer: 'http://evil.example/page' })).status).toBe(403);
  });

  it('uses the cookie when the Authorization header carries another scheme (HTTP basic auth of --ui-auth)', async () => {
    const h = await start();
    const cookie = (await h.hub.subscriberCookie()).split(';')[0]!;
    const basic = `Basic ${Buffer.from('user:pass').toString('base64')}`;
    const url = subscribeUrl(h.hubUrl, ['foo']);
    expect((await rawGet(url, { Cookie: cookie, Authorization: basic })).status).toBe(200);
    expect((await rawGet(url, { Authorization: basic })).status).toBe(401);
    expect((await rawGet(url, { Cookie: cookie, Authorization: 'Bearer' })).status).toBe(401);
  });

  it('refuses a cookie-authorized publish without Origin or Referer (CSRF)', async () => {
    const h = await start();
    const cookie = `mercureAuthorization=${await publisherToken()}`;
    expect((await post(h.hubUrl, [['topic', 'foo']], { Cookie: cookie })).status).toBe(403);
    expect(
      (await post(h.hubUrl, [['topic', 'foo']], { Cookie: cookie, Origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await post(h.hubUrl, [['topic', 'foo']], { Cookie: cookie, Origin: h.base })).status).toBe(200);
  });

  it('builds an HttpOnly, SameSite=Strict cookie scoped to the hub', async () => {
    const h = await start();
    expect(await h.hub.subscriberCookie()).toMatch(
      /^mercureAuthorization=[\w-]+\.[\w-]+\.[\w-]+; HttpOnly; SameSite=Strict; Path=\/\.well-known\/mercure$/,
    );
  });
});

describe('expiry', () => {
  it('closes the stream when the JWT expires', async () => {
    const h = await start();
    const token = await mintToken(SUBSCRIBER_KEY, { subscribe: ['*'] }, 1);
    const ended = await new Promise<boolean>((resolve, reject) => {
      import('node:http').then(({ get }) => {
        const req = get(
          subscribeUrl(h.hubUrl, ['foo']),
          { headers: { Authorization: `Bearer ${token}` } },
          (res) => {
            expect(res.statusCode).toBe(200);
            res.resume();
            res.on('end', () => resolve(true));
          },
        );
        req.setTimeout(10_000, () => req.destroy(new Error('the stream was not closed at expiry')));
        req.on('error', reject);
      }, reject);
    });
    expect(ended).toBe(true);
    await waitFor('the subscriber to be gone', () => (h.hub.subscriberCount === 0 ? true : undefined));
  });
});

describe('slow subscribers', () => {
  it('drops a subscriber that never reads while another keeps receiving every update', async () => {
    const queueLimit = 64 * 1024;
    const h = await start({ anonymous: true, queueLimit });
    const fast = await client(subscribeUrl(h.hubUrl, ['big'])).open();

    const stuck = connect({ host: '127.0.0.1', port: new URL(h.base).port as unknown as number });
    stuck.on('error', () => {});
    let stuckClosed = false;
    stuck.on('close', () => (stuckClosed = true));
    await new Promise<void>((resolve) => stuck.once('connect', () => resolve()));
    const path = new URL(subscribeUrl(h.hubUrl, ['big']));
    stuck.write(`GET ${path.pathname}${path.search} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    stuck.pause(); // never read: the kernel buffers fill, then the hub's
    await waitFor('both subscribers', () => (h.hub.subscriberCount === 2 ? true : undefined));

    const payload = 'x'.repeat(64 * 1024);
    // Bounded: loopback socket buffers hold a few MB at most, far below 1,000 × 64 KB.
    let sent = 0;
    for (; sent < 1000 && h.hub.subscriberCount === 2; sent++) {
      const id = h.hub.publish({ topics: ['big'], data: payload });
      await fast.waitFor((r) => r.id === id);
    }
    expect(h.hub.subscriberCount).toBe(1);
    // Reading now drains what the kernel still holds, then reaches the end the hub put on the connection.
    stuck.resume();
    await waitFor('the stuck socket to be cut', () => (stuckClosed ? true : undefined));
    const after = h.hub.publish({ topics: ['big'], data: 'after the drop' });
    await fast.waitFor((r) => r.id === after);
    expect(fast.received).toHaveLength(sent + 1);
    expect(h.logs.some((l) => l.level === 'warn' && l.message.includes('dropped'))).toBe(true);
    stuck.destroy();
  });
});

describe('lifecycle and discovery', () => {
  it('ends every stream on close and answers 503 afterwards', async () => {
    const h = await start({ anonymous: true });
    const c = await client(subscribeUrl(h.hubUrl, ['foo'])).open();
    expect(h.hub.subscriberCount).toBe(1);
    await h.hub.close();
    await waitFor('the client to see the end', () => (c.errors.length > 0 ? true : undefined));
    c.close();
    expect((await rawGet(subscribeUrl(h.hubUrl, ['foo']))).status).toBe(503);
    expect(() => h.hub.publish({ topics: ['foo'], data: 'x' })).toThrow(/closed/);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const h = await start({ corsOrigins: ['http://app.example'] });
    const ok = await fetch(h.hubUrl, { method: 'OPTIONS', headers: { Origin: 'http://app.example' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://app.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-headers')).toContain('Last-Event-ID');
    const no = await fetch(h.hubUrl, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('gives the discovery Link header and 405/404 for other methods and paths', async () => {
    expect(mercureLinkHeader('http://127.0.0.1:8025/')).toBe(
      '<http://127.0.0.1:8025/.well-known/mercure>; rel="mercure"',
    );
    const h = await start();
    expect((await fetch(h.hubUrl, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(`${h.hubUrl}/nothing-here`)).status).toBe(404);
  });
});
