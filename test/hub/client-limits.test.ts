// The hub's bounds per client, through the real hub: URI templates are counted across all of a token's streams and
// all of an address's, and streams per token and per address; what is over gets a 429 that says which bound.
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src-main/hub/jwt.js';
import { Client, SUBSCRIBER_KEY, rawGet, startHub, subscribeUrl, type TestHub } from './helpers.js';

let hub: TestHub | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await hub?.close();
  hub = undefined;
});

/** Templates whose automata are large (as in selectors.test.ts): 32 of them need about 26,000 states. */
const complex = (from: number) =>
  Array.from({ length: 32 }, (_, k) => {
    const i = from + k;
    return [
      `https://e.test/{+a${i}}{+b}{+c}{+d}{+e}{+f}{+g}{+h}`,
      `urn:t:${i}{?a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z}`,
      `{/a${i}*,b*,c*,d*}{.x*,y*}{;p*,q*}`,
      `{a${i}:16}{b:16}{c:16}{d:16}`,
    ][i % 4]!;
  });
const states = (h: TestHub, selectors: string[]) =>
  selectors.reduce((sum, s) => sum + h.hub.matcher.cost(s), 0);
const templates = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `urn:${prefix}:${i}/{+a}{+b}`);
let minted = 0;
/** A token of its own each time (two minted in the same second with the same claims would be the same JWT). */
const token = () => mintToken(SUBSCRIBER_KEY, { subscribe: ['*'], payload: { holder: ++minted } });

async function open(url: string, jwt: string): Promise<Client> {
  const c = new Client(url, { token: jwt });
  clients.push(c);
  return c.open();
}

describe('hub bounds per client', () => {
  it('counts template states across a token’s streams: a second stream of 32 large new ones is a 429', async () => {
    hub = await startHub();
    const jwt = await token();
    await open(subscribeUrl(hub.hubUrl, complex(0)), jwt);
    // The same templates again cost nothing more: they are compiled and matched once.
    await open(subscribeUrl(hub.hubUrl, complex(0)), jwt);
    const refused = await rawGet(subscribeUrl(hub.hubUrl, complex(32)), { Authorization: `Bearer ${jwt}` });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.body).toMatch(
      /^\[hub\] the URI templates of this JWT's open streams would need \d+ automaton states or more; at most 32768/,
    );
    // Exact topics and "*" are cheap and not counted; another token has its own budget.
    await open(subscribeUrl(hub.hubUrl, ['urn:x', '*']), jwt);
    await open(subscribeUrl(hub.hubUrl, complex(32)), await token());
    expect(hub.hub.subscriberCount).toBe(4);
  });

  it('gives the budget back when a stream closes', async () => {
    const probe = await startHub();
    const needed = states(probe, templates('a', 32));
    await probe.close();
    hub = await startHub({ clientLimits: { templateStatesPerToken: needed } });
    const jwt = await token();
    const first = await open(subscribeUrl(hub.hubUrl, templates('a', 32)), jwt);
    const over = await rawGet(subscribeUrl(hub.hubUrl, templates('b', 1)), {
      Authorization: `Bearer ${jwt}`,
    });
    expect(over.status).toBe(429);
    first.close();
    for (let i = 0; i < 400 && hub.hub.subscriberCount > 0; i++) await new Promise((r) => setTimeout(r, 25));
    await open(subscribeUrl(hub.hubUrl, templates('b', 32)), jwt);
  });

  it('bounds templates per address and overall, whatever the tokens', async () => {
    const probe = await startHub();
    const half = states(probe, templates('a', 32));
    await probe.close();
    hub = await startHub({ clientLimits: { templateStatesPerAddress: half + 10 } });
    await open(subscribeUrl(hub.hubUrl, templates('a', 32)), await token());
    const perAddress = await rawGet(subscribeUrl(hub.hubUrl, templates('b', 32)), {
      Authorization: `Bearer ${await token()}`,
    });
    expect(perAddress.status).toBe(429);
    expect(perAddress.body).toMatch(
      new RegExp(`from your address would need \\d+ automaton states or more; at most ${half + 10}`),
    );
    await hub.close();

    hub = await startHub({ clientLimits: { templateStatesOverall: half + 10 } });
    await open(subscribeUrl(hub.hubUrl, templates('a', 32)), await token());
    const overall = await rawGet(subscribeUrl(hub.hubUrl, templates('b', 32)), {
      Authorization: `Bearer ${await token()}`,
    });
    expect(overall.status).toBe(429);
    expect(overall.body).toMatch(
      new RegExp(`the hub's URI templates already need ${half} automaton states \\(at most ${half + 10}\\)`),
    );
  });

  it('bounds streams per token and per address', async () => {
    hub = await startHub({ clientLimits: { connectionsPerToken: 2, connectionsPerAddress: 3 } });
    const jwt = await token();
    await open(subscribeUrl(hub.hubUrl, ['urn:x']), jwt);
    await open(subscribeUrl(hub.hubUrl, ['urn:x']), jwt);
    const third = await rawGet(subscribeUrl(hub.hubUrl, ['urn:x']), { Authorization: `Bearer ${jwt}` });
    expect(third.status).toBe(429);
    expect(third.body).toMatch(/this JWT already has 2 open streams \(at most 2\)/);
    await open(subscribeUrl(hub.hubUrl, ['urn:x']), await token());
    const fourth = await rawGet(subscribeUrl(hub.hubUrl, ['urn:x']), {
      Authorization: `Bearer ${await token()}`,
    });
    expect(fourth.status).toBe(429);
    expect(fourth.body).toMatch(/your address already has 3 open streams/);
  });
});
