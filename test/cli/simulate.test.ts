import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../src-main/wire/types.js';
import { simulate } from '../../src-main/cli/simulate.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { runCommand } from './run-command.js';

const run = (argv: string[]) => runCommand(simulate, argv);

describe('mailbeacon simulate', () => {
  let t: TestSandbox;
  let id: string;
  beforeAll(async () => {
    t = await startSandbox();
    const transport = smtpTransport(t);
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to: 'ann@example.org',
      subject: 'CLI',
      html: '<html><body><a href="https://example.com/a">a</a> <a href="https://example.com/b">b</a></body></html>',
    });
    transport.close();
    id = queuedId(info.response);
  });
  afterAll(() => t.stop());

  it('runs a profile on a running serve through its API and prints the steps', async () => {
    const r = await run([id, 'human-click', '--link', '2', '--http', t.http]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/click\s+human\s+https:\/\/example\.com\/b/);
    // It says the hits are simulated, and where to see them in the UI.
    expect(r.out).toContain('Recorded as simulated');
    expect(r.out).toContain(`${t.http}/#/message/${encodeURIComponent(id)}`);
    const { events } = await getJson<EventsResponse>(`${t.http}/api/v1/message/${id}/events`);
    expect(events[0]).toMatchObject({ kind: 'click', classification: 'human', source: 'simulated' });
    expect(events[0]!.url).toBe('https://example.com/b');

    const json = await run(['latest', 'apple-mpp', '--http', t.http.replace(/^http:\/\//, ''), '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      profile: 'apple-mpp',
      steps: [{ kind: 'open', classification: 'proxy' }],
    });
  });

  it('says what is wrong: an unknown profile, a missing argument, an unreachable sandbox', async () => {
    const bad = await run([id, 'carrier-pigeon', '--http', t.http]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown profile "carrier-pigeon"; profiles: human-open/);
    expect((await run([id])).code).toBe(2);
    const down = await run([id, 'human-open', '--http', 'http://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/could not reach/);
  });
});
