import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSearchTerm } from '../../src-main/api/routes/messages.js';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** Nothing internal may leave the process: Node's error codes, fastify's, file paths or stack frames. */
const LEAK = /ERR_[A-Z_]+|FST_[A-Z_]+|SQLITE_|\bat .+\(.*:\d+:\d+\)|\/src-main\/|node_modules/;

describe('every API error has one JSON shape and leaks nothing', () => {
  let t: TestSandbox;
  let id: string;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:' });
    await smtpTransport(t).sendMail({ from: 'a@x.test', to: 'b@x.test', subject: 'one', text: 'hello' });
    const list = (await (await fetch(`${t.http}/api/v1/messages`)).json()) as { messages: { ID: string }[] };
    id = list.messages[0]!.ID;
  });
  afterAll(() => t.stop());

  it.each([
    ['GET', '/api/v1/nothing-here', 404],
    ['GET', '/api/v1/message/nope', 404],
    ['GET', '/api/v1/message/nope/headers', 404],
    ['GET', '/api/v1/message/nope/raw', 404],
    ['GET', '/api/v1/message/nope/part/1', 404],
    ['GET', '/api/v1/message/nope/tracking', 404],
    ['GET', '/api/v1/message/nope/events', 404],
    ['GET', '/api/v1/message/latest/raw?version=other', 400],
    ['GET', '/api/v1/messages?limit=0', 400],
    ['GET', '/api/v1/events?kind=bogus', 400],
    ['GET', '/api/v1/events?since=99999999999999999999999', 400],
    ['GET', '/api/v1/events?since=9223372036854775808', 400],
    ['GET', '/api/v1/events?since=275760-09-13T00:00:00Z', 400],
    ['GET', '/api/v1/hub/token?ttl=0', 400],
    ['GET', '/api/v1/wait?timeout=9999', 400],
    ['POST', '/api/v1/relay/1/retry', 400],
    ['POST', '/api/v1/relay/x/retry', 400],
    ['POST', '/api/v1/webhooks/deliveries/1/retry', 404],
    ['POST', '/api/v1/message/nope/release', 404],
    ['POST', '/api/v1/tracking/mint', 400],
    ['POST', '/api/v1/send', 400],
    ['PUT', '/api/v1/tags', 400],
    ['DELETE', '/api/v1/search', 400],
  ])('%s %s → %i {"Error": "…"}', async (method, path, status) => {
    const body = method === 'GET' ? undefined : '{"bad": true}';
    const res = await fetch(`${t.http}${path}`, {
      method,
      body,
      headers: body ? { 'Content-Type': 'application/json' } : {},
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['Error']);
    expect(typeof json.Error).toBe('string');
    expect((json.Error as string).length).toBeGreaterThan(0);
    expect(text).not.toMatch(LEAK);
  });

  it('answers malformed JSON and oversize ids as 4xx in the same shape', async () => {
    const bad = await fetch(`${t.http}/api/v1/messages`, {
      method: 'PUT',
      body: '{not json',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()) as object)).toEqual(['Error']);
    const long = await fetch(`${t.http}/api/v1/message/${'x'.repeat(500)}`);
    expect(long.status).toBe(404);
    expect(Object.keys((await long.json()) as object)).toEqual(['Error']);
  });

  it('a GET of a message changes nothing: it stays unread until PUT /api/v1/messages marks it', async () => {
    const unread = async () =>
      ((await (await fetch(`${t.http}/api/v1/messages`)).json()) as { unread: number }).unread;
    expect(await unread()).toBe(1);
    expect((await fetch(`${t.http}/api/v1/message/${id}`)).status).toBe(200);
    expect((await fetch(`${t.http}/api/v1/message/latest`)).status).toBe(200);
    expect(await unread()).toBe(1);
    const put = await fetch(`${t.http}/api/v1/messages`, {
      method: 'PUT',
      body: JSON.stringify({ IDs: [id], Read: true }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(put.status).toBe(200);
    expect(await unread()).toBe(0);
  });

  it.each(['*', '"', ')', '^', ':', '" "', '(*)', '-'])(
    'refuses DELETE /api/v1/search?query=%s (no search term) and deletes nothing',
    async (query) => {
      const res = await fetch(`${t.http}/api/v1/search?query=${encodeURIComponent(query)}`, {
        method: 'DELETE',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { Error: string }).Error).toMatch(/no search term/);
      const list = (await (await fetch(`${t.http}/api/v1/messages`)).json()) as { total: number };
      expect(list.total).toBe(1);
    },
  );

  it('still deletes by a real search', async () => {
    expect(hasSearchTerm('subject:nomatch')).toBe(true);
    const res = await fetch(`${t.http}/api/v1/search?query=${encodeURIComponent('subject:nomatch')}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    const list = (await (await fetch(`${t.http}/api/v1/messages`)).json()) as { total: number };
    expect(list.total).toBe(1);
  });
});
