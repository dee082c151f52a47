// Who made a hit (recipient, simulated, preview) and the one definition of what the figures count: the list counts
// of each mail, the search filters, the summary route and the events routes must agree for each switch position.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  EventsResponse,
  MessageSummary,
  MessagesSummary,
  MessageTracking,
  TrackingSummary,
} from '../../src-main/wire/types.js';
import { MailbeaconClient } from '../../src-main/client/index.js';
import { migrate, openDatabase } from '../../src-main/store/sqlite/database.js';
import { MIGRATIONS } from '../../src-main/store/sqlite/migrations.js';
import {
  getJson,
  queuedId,
  smtpTransport,
  startSandbox,
  tempDir,
  type TestSandbox,
} from '../helpers/sandbox.js';

const HTML = `<!doctype html><html><body>
<p>Hi, <a href="https://example.com/start">start here</a> or <a href="https://example.com/docs">read the docs</a>.</p>
</body></html>`;
/** A desktop mail client's open, as a recipient's Outlook sends it. */
const OUTLOOK = 'Microsoft Outlook 16.0.17328; Windows NT 10.0';

let t: TestSandbox;
beforeAll(async () => {
  t = await startSandbox();
});
afterAll(() => t.stop());

async function send(subject: string, html: string | null = HTML): Promise<string> {
  const transport = smtpTransport(t);
  try {
    const info = await transport.sendMail({
      from: 'app@sender.test',
      to: 'ann@example.org',
      subject,
      ...(html ? { html } : { text: 'Plain text only: https://example.com/start' }),
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

async function simulate(id: string, profile: string): Promise<void> {
  const res = await fetch(`${t.http}/api/v1/message/${id}/simulate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ profile }),
  });
  expect(res.status).toBe(200);
  await res.body?.cancel();
}

const api = <T>(path: string) => getJson<T>(`${t.http}/api/v1/${path}`);
const tracking = (id: string) => api<MessageTracking>(`message/${id}/tracking`);
const search = async (query: string) =>
  (await api<MessagesSummary>(`search?query=${encodeURIComponent(query)}&limit=1000`)).messages
    .map((m) => m.ID)
    .sort();

describe('three sources on every hit', () => {
  it('tells a recipient, a simulated recipient, the client’s click and the preview apart; a forged mark stays a recipient', async () => {
    const id = await send('Sources');
    const manifest = await tracking(id);
    // A recipient: anything Mailbeacon did not make itself.
    await (await fetch(manifest.pixel!.url, { headers: { 'User-Agent': OUTLOOK } })).arrayBuffer();
    // The preview: the user's own reading, through the marked URLs the preview is given.
    const preview = await api<{ urls: Record<string, string> }>(`message/${id}/preview-urls`);
    await (await fetch(preview.urls[manifest.pixel!.url]!)).arrayBuffer();
    // Simulated: Simulate, and the client's click.
    await simulate(id, 'human-open');
    await new MailbeaconClient(t.http).click(id, { index: 2 });
    // A mark that is not Mailbeacon's is ignored.
    await (await fetch(`${manifest.pixel!.url}&mb=${'A'.repeat(22)}`)).arrayBuffer();

    const { events } = await api<EventsResponse>(`message/${id}/events`);
    expect(events.map((e) => `${e.kind} ${e.source}`).reverse()).toEqual([
      'open recipient',
      'open preview',
      'open simulated',
      'click simulated',
      'open recipient',
    ]);
    // The old name of the preview is still understood.
    const old = await api<EventsResponse>(`message/${id}/events?source=sandbox`);
    expect(old.events.map((e) => e.source)).toEqual(['preview']);

    const listed = (await api<MessagesSummary>('messages?limit=1000')).messages.find((m) => m.ID === id)!;
    // Counted: two recipient opens (one of them the forged mark), one simulated open and click; the preview apart.
    expect([listed.Tracking.opens, listed.Tracking.clicks]).toEqual([3, 1]);
    expect([listed.Tracking.recipients.opens, listed.Tracking.recipients.clicks]).toEqual([2, 0]);
    expect(listed.Tracking.preview).toEqual({ opens: 1, clicks: 0, unsubscribed: false });
  });
});

describe('one definition of opened, clicked and unsubscribed', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    ids = {
      recipient: await send('Definition recipient'),
      simulated: await send('Definition simulated'),
      machine: await send('Definition machine'),
      preview: await send('Definition preview'),
      plain: await send('Definition plain', null),
    };
    const pixel = (await tracking(ids.recipient!)).pixel!.url;
    await (await fetch(pixel, { headers: { 'User-Agent': OUTLOOK } })).arrayBuffer();
    await simulate(ids.simulated!, 'human-open');
    await simulate(ids.simulated!, 'human-click');
    await simulate(ids.simulated!, 'unsubscribe-one-click');
    await simulate(ids.machine!, 'apple-mpp');
    await simulate(ids.machine!, 'safe-links');
    const m = await tracking(ids.preview!);
    const marked = await api<{ urls: Record<string, string> }>(`message/${ids.preview}/preview-urls`);
    await (await fetch(marked.urls[m.pixel!.url]!)).arrayBuffer();
    await (await fetch(marked.urls[m.links[0]!.trackedUrl]!, { redirect: 'manual' })).arrayBuffer();
  });

  it.each([
    ['recipients and simulated recipients (default)', '', '', ['recipient', 'simulated']],
    ['real recipients only', '?simulated=no', ' source:recipient', ['recipient']],
  ] as const)(
    'badges, search filters and the summary agree: %s',
    async (_name, param, scopeTerm, openedBy) => {
      const summary = await api<TrackingSummary>(`tracking/summary${param}`);
      const { messages } = await api<MessagesSummary>('messages?limit=1000');
      const counts = (m: MessageSummary) => (param ? m.Tracking.recipients : m.Tracking);
      const listed = (pick: (m: MessageSummary) => boolean) =>
        messages
          .filter(pick)
          .map((m) => m.ID)
          .sort();

      const opened = listed((m) => counts(m).opens > 0);
      const clicked = listed((m) => counts(m).clicks > 0);
      const unsubscribed = listed((m) => counts(m).unsubscribed);
      expect(await search(`is:opened${scopeTerm}`)).toEqual(opened);
      expect(await search(`is:clicked${scopeTerm}`)).toEqual(clicked);
      expect(await search(`is:unsubscribed${scopeTerm}`)).toEqual(unsubscribed);
      expect([summary.opened, summary.clicked, summary.unsubscribed]).toEqual([
        opened.length,
        clicked.length,
        unsubscribed.length,
      ]);
      // Which mails: never the machine-only one, never the previewed one.
      const expectedOpened = openedBy.map((k) => ids[k]!);
      for (const id of expectedOpened) expect(opened).toContain(id);
      expect(opened).not.toContain(ids.machine);
      expect(opened).not.toContain(ids.preview);
      expect(clicked).not.toContain(ids.preview);

      // Machine hits beside, with their own filters.
      const machineOpened = listed((m) => counts(m).machine.opens > 0);
      expect(await search(`is:machine-opened${scopeTerm}`)).toEqual(machineOpened);
      expect(await search(`is:machine-clicked${scopeTerm}`)).toEqual(
        listed((m) => counts(m).machine.clicks > 0),
      );
      expect(machineOpened.includes(ids.machine!)).toBe(param === '');
      const machineHits = messages.reduce(
        (n, m) => n + counts(m).machine.opens + counts(m).machine.clicks,
        0,
      );
      expect(summary.machine).toBe(machineHits);
      const previewHits = messages.reduce(
        (n, m) =>
          n +
          m.Tracking.preview.opens +
          m.Tracking.preview.clicks +
          (m.Tracking.preview.unsubscribed ? 1 : 0),
        0,
      );
      expect(summary.preview).toBe(previewHits);

      // Per source, and each rate's denominator: the plain-text mail carries no pixel and no tracked link.
      const openedBySimulation = listed((m) => m.Tracking.opens > m.Tracking.recipients.opens).length;
      expect(summary.bySource.simulated.opened).toBe(param ? 0 : openedBySimulation);
      expect(summary.bySource.recipient.opened).toBe(listed((m) => m.Tracking.recipients.opens > 0).length);
      expect(summary.withPixel).toBe(summary.mails - 1);
      expect(summary.withLinks).toBe(summary.mails - 1);
      if (param) expect(summary.excluded).toBeGreaterThan(0);
      else expect(summary.excluded).toBe(0);
    },
  );

  it('the preview’s own hits are found with source:preview, and counted nowhere else', async () => {
    expect(await search('is:opened source:preview subject:Definition')).toEqual([ids.preview]);
    expect(await search('is:opened source:sandbox subject:Definition')).toEqual([ids.preview]);
    expect(await search(`is:opened -source:preview subject:"Definition preview"`)).toEqual([]);
  });
});

describe('one vocabulary for classification and source across routes', () => {
  it('accepts all, lists, machine and counted on the events routes as on the summary', async () => {
    const all = await api<EventsResponse>('events?classification=all&source=all&limit=1000');
    const plain = await api<EventsResponse>('events?limit=1000');
    expect(all.total).toBe(plain.total);
    const machine = await api<EventsResponse>('events?classification=machine&limit=1000');
    expect(machine.total).toBeGreaterThan(0);
    for (const e of machine.events) expect(['proxy', 'scanner']).toContain(e.classification);
    const listed = await api<EventsResponse>('events?classification=proxy,scanner&limit=1000');
    expect(listed.total).toBe(machine.total);
    const counted = await api<EventsResponse>('events?source=counted&simulated=no&limit=1000');
    for (const e of counted.events) expect(e.source).toBe('recipient');
    const both = await api<EventsResponse>('events?source=counted&limit=1000');
    expect(new Set(both.events.map((e) => e.source))).toEqual(new Set(['recipient', 'simulated']));
    const summaryAll = await api<TrackingSummary>('tracking/summary?classification=all&source=all');
    expect(summaryAll.opened).toBeGreaterThanOrEqual((await api<TrackingSummary>('tracking/summary')).opened);
  });

  it('answers 400 naming the known values for an unknown one', async () => {
    for (const path of [
      'events?classification=robot',
      'events?source=martian',
      'tracking/summary?source=martian',
      'tracking/summary?simulated=maybe',
      'search?query=is:opened%20source:martian',
    ]) {
      const res = await fetch(`${t.http}/api/v1/${path}`);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { Error?: string; error?: string };
      expect(JSON.stringify(body)).toMatch(/known|expected|Invalid|one of/i);
    }
  });
});

describe('stored events of the old sandbox source', () => {
  const temps: { remove: () => void }[] = [];
  afterEach(() => temps.splice(0).forEach((x) => x.remove()));

  it('become simulated when they came from a simulation’s address, preview otherwise', () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'mailbeacon.db');
    const old = new BetterSqlite3(path);
    migrate(old, MIGRATIONS.slice(0, 12));
    const insert = old.prepare(
      `INSERT INTO events (kind, url, metadata, remote_ip, ua, ts, token_id, message_id, classification, method, source)
       VALUES ('open', '', '{}', ?, 'ua', 1, 't', 'm', 'human', 'GET', ?)`,
    );
    insert.run('127.0.0.1', 'sandbox');
    insert.run('203.0.113.25', 'sandbox');
    insert.run('17.58.63.10', 'sandbox');
    insert.run('198.51.100.7', 'recipient');
    old.close();

    const db = openDatabase({ path });
    try {
      const rows = db.prepare('SELECT remote_ip, source FROM events ORDER BY id').all();
      expect(rows).toEqual([
        { remote_ip: '127.0.0.1', source: 'preview' },
        { remote_ip: '203.0.113.25', source: 'simulated' },
        { remote_ip: '17.58.63.10', source: 'simulated' },
        { remote_ip: '198.51.100.7', source: 'recipient' },
      ]);
    } finally {
      db.close();
    }
  });
});
