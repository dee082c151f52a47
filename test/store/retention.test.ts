// --max-age: mails past the age go in the background, with their tracking events and finished relay entries.
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src-main/config/load.js';
import { createLogger, type Clock } from '../../src-main/logger.js';
import { Sandbox } from '../../src-main/sandbox.js';
import { smtpTransport } from '../helpers/sandbox.js';

const HOUR = 3_600_000;

/** A clock the test moves by hand. */
function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    nowNs: () => BigInt(now) * 1_000_000n,
    advance: (ms) => (now += ms),
  };
}

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.stop();
  sandbox = undefined;
});

async function start(flags: Record<string, unknown>, clock: Clock) {
  const settings = loadSettings(
    { smtp: '127.0.0.1:0', http: '127.0.0.1:0', tracking: '127.0.0.1:0', dataDir: ':memory:', ...flags },
    {},
  );
  sandbox = new Sandbox(settings, { logger: createLogger('silent'), clock });
  const addresses = await sandbox.start();
  const [host, port] = addresses.smtp.split(/:(?=\d+$)/);
  const transport = smtpTransport({ smtpHost: host!, smtpPort: Number(port) });
  const send = async (subject: string) =>
    /queued as (\S+)/.exec(
      (await transport.sendMail({ from: 'a@shop.test', to: 'b@example.test', subject, text: 'hi' })).response,
    )![1]!;
  return { sandbox, send };
}

function relayRow(s: Sandbox, messageId: string, status: string): void {
  s.db
    .prepare(
      `INSERT INTO relay_outbox (message_id, recipients_json, reason, status, relay_id, created_ms, updated_ms)
       VALUES (?, '[]', 'rule', ?, ?, 0, 0)`,
    )
    .run(messageId, status, `${messageId}-${status}`);
}

function eventRow(s: Sandbox, messageId: string): void {
  s.db
    .prepare(
      `INSERT INTO events (kind, ts, token_id, message_id, classification) VALUES ('open', 0, 't', ?, 'human')`,
    )
    .run(messageId);
}

const count = (s: Sandbox, sql: string, ...params: unknown[]) =>
  s.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;

describe('retention by age', () => {
  it('prunes mails older than --max-age with their events and finished relay entries, and keeps newer ones', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 10));
    const { sandbox: s, send } = await start({ maxAge: '12h' }, clock);
    const old = [await send('old 1'), await send('old 2')];
    clock.advance(6 * HOUR);
    const middle = await send('middle');
    clock.advance(7 * HOUR);
    const fresh = await send('fresh');
    for (const id of [...old, middle, fresh]) {
      eventRow(s, id);
      relayRow(s, id, 'sent');
    }
    relayRow(s, old[0]!, 'pending');

    const deleted: string[] = [];
    s.bus.on('message.deleted', (ids) => ids !== 'all' && deleted.push(...ids));
    await s.retention.runOnce();
    expect(deleted.sort()).toEqual([...old].sort());
    expect((await s.store.count()).total).toBe(2);
    expect(await s.store.get(middle)).toBeDefined();
    expect(count(s, 'SELECT count(*) FROM events WHERE message_id IN (?, ?)', ...old)).toBe(0);
    expect(count(s, 'SELECT count(*) FROM events WHERE message_id = ?', fresh)).toBe(1);
    // A relay entry still waiting to go is the relay's to finish; the finished ones went with their mail.
    expect(count(s, `SELECT count(*) FROM relay_outbox WHERE message_id IN (?, ?)`, ...old)).toBe(1);
    expect(count(s, `SELECT count(*) FROM relay_outbox WHERE message_id = ?`, middle)).toBe(1);

    clock.advance(6 * HOUR);
    await s.retention.runOnce();
    expect(await s.store.get(middle)).toBeUndefined();
    expect(await s.store.get(fresh)).toBeDefined();
    expect((await s.store.count()).total).toBe(1);
  });

  it('drops the finished relay entries of mails --max-messages pruned, as --max-age does', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 10));
    const { sandbox: s, send } = await start({ maxMessages: 2 }, clock);
    const first = await send('first');
    eventRow(s, first);
    relayRow(s, first, 'dead');
    await send('second');
    await send('third');
    expect(await s.store.get(first)).toBeUndefined();
    expect(count(s, 'SELECT count(*) FROM events WHERE message_id = ?', first)).toBe(0);
    await s.retention.runOnce();
    expect(count(s, 'SELECT count(*) FROM relay_outbox WHERE message_id = ?', first)).toBe(0);
  });

  it('refuses an age it cannot read', () => {
    expect(() => loadSettings({ dataDir: ':memory:', maxAge: 'soon' }, {})).toThrow(/--max-age/);
    expect(() => loadSettings({ dataDir: ':memory:', tag: ['billing'] }, {})).toThrow(/TAG=QUERY/);
    expect(() => loadSettings({ dataDir: ':memory:', tag: ['x=colour:red'] }, {})).toThrow(/unknown filter/);
  });
});
