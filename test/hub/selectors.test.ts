import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TOPICS_PER_SUBSCRIPTION } from '../../src-main/hub/subscribe.js';
import { compileTemplate, TemplateMatcher } from '../../src-main/hub/topic-selector.js';
import { Client, PUBLISHER_KEY, post, rawGet, startHub, subscribeUrl, type TestHub } from './helpers.js';
import { mintToken } from '../../src-main/hub/jwt.js';

/** Templates whose natural regular expressions backtrack badly: adjacent and exploded variables, long prefixes. */
const complexTemplate = (i: number): string =>
  [
    `https://e.test/{+a${i}}{+b}{+c}{+d}{+e}{+f}{+g}{+h}`,
    `urn:t:${i}{?a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z}`,
    `{/a${i}*,b*,c*,d*}{.x*,y*}{;p*,q*}`,
    `{a${i}:16}{b:16}{c:16}{d:16}`,
  ][i % 4]!;

let hub: TestHub | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await hub?.close();
  hub = undefined;
});

describe('topic selectors per subscription', () => {
  it(`refuses a subscription with more than ${MAX_TOPICS_PER_SUBSCRIPTION} selectors with a 400 that says so`, async () => {
    hub = await startHub({ anonymous: true });
    // Short ones: 200 long templates would not fit in a request line at all.
    const selectors = Array.from({ length: 200 }, (_, i) => `urn:t:${i}/{+a}{+b}`);
    const res = await rawGet(subscribeUrl(hub.hubUrl, selectors));
    expect(res.status).toBe(400);
    expect(res.body).toContain('200 "topic" selectors');
    expect(res.body).toContain(`at most ${MAX_TOPICS_PER_SUBSCRIPTION}`);
    expect(hub.hub.subscriberCount).toBe(0);
  });

  it(`accepts ${MAX_TOPICS_PER_SUBSCRIPTION} complex templates and still delivers`, async () => {
    hub = await startHub({ anonymous: true });
    const selectors = Array.from({ length: MAX_TOPICS_PER_SUBSCRIPTION }, (_, i) => complexTemplate(i));
    const many = new Client(subscribeUrl(hub.hubUrl, selectors));
    clients.push(many);
    await many.open();
    const jwt = await mintToken(PUBLISHER_KEY, { publish: ['*'] });
    const res = await post(
      hub.hubUrl,
      [
        ['topic', 'urn:t:5?a=1&z=2'],
        ['data', 'hit'],
      ],
      {
        Authorization: `Bearer ${jwt}`,
      },
    );
    expect(res.status).toBe(200);
    expect((await many.waitFor((r) => r.data === 'hit')).data).toBe('hit');
  });
});

describe('template matching stays linear', () => {
  /** Automaton states a fresh matcher walks to decide `topic`: the work of the match, independent of the machine. */
  function work(template: string, topic: string): number {
    const matcher = compileTemplate(template);
    expect(matcher).toBeInstanceOf(TemplateMatcher);
    matcher!.test(topic);
    return matcher!.visited;
  }

  it.each(Array.from({ length: 32 }, (_, i) => [complexTemplate(i)]))(
    'does work proportional to the topic length for %s',
    (template) => {
      // Topics that keep every variable alive (the worst case of a backtracking engine): a long run of one
      // character that each variable accepts, with a mismatch at the end.
      const topic = (n: number) => `https://e.test/${'a'.repeat(n)}!`;
      const small = work(template, topic(500));
      const large = work(template, topic(4000));
      // Eight times the input may cost at most about eight times the work (plus the fixed cost of the start).
      expect(large).toBeLessThanOrEqual(8 * small + 10_000);
    },
  );

  it('reuses what it learnt: the same topic again walks no new states', () => {
    const matcher = compileTemplate(complexTemplate(1))!;
    const topic = `urn:t:1?a=${'x'.repeat(500)}&m=1&z=2`;
    expect(matcher.test(topic)).toBe(true);
    const first = matcher.visited;
    expect(matcher.test(topic)).toBe(true);
    expect(matcher.visited).toBe(first);
  });
});
