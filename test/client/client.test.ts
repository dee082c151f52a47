import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';
import { MailbeaconError, MailbeaconTimeoutError, type LiveUpdate } from '../../src-main/client/index.js';
import * as wire from '../../src-main/wire/schemas.js';

const HTML = `<html><body><p>Hello</p>
<a href="https://example.com/pricing">See <b>pricing</b></a>
<a href="https://example.com/docs">Read the docs</a>
</body></html>`;

let mb: RunningSandbox;
let upstream: SMTPServer;
const relayed: string[] = [];

async function send(to: string, subject: string, extra: Record<string, unknown> = {}) {
  const transport = nodemailer.createTransport({ host: mb.smtp.host, port: mb.smtp.port });
  await transport.sendMail({ from: 'app@example.com', to, subject, html: HTML, text: 'Hello', ...extra });
  transport.close();
}

beforeAll(async () => {
  upstream = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo: (address, _session, cb) => {
      relayed.push(address.address);
      cb();
    },
    onData: (stream, _session, cb) => {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.server.address() as { port: number };
  mb = await startSandbox({ flags: { relay: `smtp://127.0.0.1:${port}` } });
});

afterAll(async () => {
  await mb?.stop();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe('MailbeaconClient', () => {
  it('waits for a mail sent after the wait began, and finds one caught before', async () => {
    const waiting = mb.client.waitForMail({ to: 'first@example.com', subject: 'Welcome aboard' });
    await send('first@example.com', 'Welcome aboard');
    const mail = await waiting;
    expect(mail.Subject).toBe('Welcome aboard');
    expect(wire.messageSummary.parse(mail).To[0]!.Address).toBe('first@example.com');
    const again = await mb.client.waitForMail({ to: 'first@example.com', timeout: 1000 });
    expect(again.ID).toBe(mail.ID);
  });

  it('reads messages through the typed routes, whose answers match the wire schemas', async () => {
    await send('second@example.com', 'Second mail');
    const { ID } = await mb.client.waitForMail({ to: 'second@example.com' });
    const list = wire.messagesSummary.parse(await mb.client.list({ limit: 10 }));
    expect(list.messages.map((m) => m.ID)).toContain(ID);
    const found = wire.messagesSummary.parse(await mb.client.search('subject:second'));
    expect(found.messages.map((m) => m.ID)).toEqual([ID]);
    const message = wire.message.parse(await mb.client.get(ID));
    expect(message.TrackedHTML).toContain('/c?t=');
    expect(await mb.client.raw(ID)).toContain('Subject: Second mail');
    expect(await mb.client.raw(ID, 'tracked')).toContain('List-Unsubscribe');
    const headers = wire.messageHeaders.parse(await mb.client.headers(ID));
    expect(headers.Subject).toEqual(['Second mail']);
    const manifest = wire.messageTracking.parse(await mb.client.tracking(ID));
    expect(manifest.links.map((l) => l.originalUrl)).toEqual([
      'https://example.com/pricing',
      'https://example.com/docs',
    ]);
    wire.appInformation.parse(await mb.client.info());
  });

  it('marks read, tags and deletes', async () => {
    await send('third@example.com', 'Third mail');
    const { ID } = await mb.client.waitForMail({ to: 'third@example.com' });
    await mb.client.setRead([ID], true);
    expect((await mb.client.search('is:read to:third@example.com')).messages.map((m) => m.ID)).toEqual([ID]);
    await mb.client.setRead([ID], false);
    expect((await mb.client.search('is:unread to:third@example.com')).messages.map((m) => m.ID)).toEqual([
      ID,
    ]);
    await mb.client.setTags([ID], ['signup', 'eu']);
    expect(await mb.client.tags()).toEqual(expect.arrayContaining(['signup', 'eu']));
    expect((await mb.client.search('tag:signup')).messages.map((m) => m.ID)).toEqual([ID]);
    await mb.client.delete([ID]);
    const gone = await mb.client.get(ID).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(MailbeaconError);
    expect((gone as MailbeaconError).status).toBe(404);
    expect((gone as MailbeaconError).serverMessage).toBe('message not found');
  });

  it('clicks a tracked link by text, URL and index, and waits for the click event', async () => {
    await send('clicker@example.com', 'Click me');
    const { ID } = await mb.client.waitForMail({ to: 'clicker@example.com' });
    const byText = await mb.client.click(ID, { text: 'pricing' });
    expect(byText.location).toBe('https://example.com/pricing');
    expect(byText.status).toBeGreaterThanOrEqual(300);
    const event = await mb.client.waitForEvent({ message: ID, kind: 'click' });
    expect(wire.trackingEvent.parse(event).url).toBe('https://example.com/pricing');
    expect((await mb.client.click(ID, { url: 'https://example.com/docs' })).location).toBe(
      'https://example.com/docs',
    );
    expect((await mb.client.click(ID, { index: 1 })).location).toBe('https://example.com/pricing');
    const events = wire.eventsResponse.parse(await mb.client.events({ message: ID, kind: 'click' }));
    expect(events.events.map((e) => e.url).sort()).toEqual([
      'https://example.com/docs',
      'https://example.com/pricing',
      'https://example.com/pricing',
    ]);
    const missing = await mb.client.click(ID, { text: 'no such link' }).catch((e: unknown) => e);
    expect(String(missing)).toContain('no tracked link');
  });

  it('unsubscribes with the RFC 8058 POST and sees the unsub event', async () => {
    await send('leaver@example.com', 'Newsletter');
    const { ID } = await mb.client.waitForMail({ to: 'leaver@example.com' });
    const { url } = await mb.client.unsubscribe(ID);
    expect(url).toContain('/u?t=');
    const event = await mb.client.waitForEvent({ message: ID, kind: 'unsub' });
    expect(event.method).toBe('POST');
    expect((await mb.client.search('is:unsubscribed')).messages.map((m) => m.ID)).toContain(ID);
  });

  it('releases a mail through the relay', async () => {
    await send('keep@example.com', 'Release me');
    const { ID } = await mb.client.waitForMail({ to: 'keep@example.com' });
    await mb.client.release(ID, ['real@example.org']);
    for (let i = 0; i < 200 && !relayed.includes('real@example.org'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(relayed).toContain('real@example.org');
  });

  it('streams live updates from the hub', async () => {
    const abort = new AbortController();
    const seen: LiveUpdate[] = [];
    const reading = (async () => {
      for await (const update of mb.client.live({ signal: abort.signal })) {
        seen.push(update);
        if (update.type === 'created' && update.message.Subject === 'Live one') return update;
      }
    })();
    // The subscription is open once the hub has answered; a mail sent before would not be in the stream.
    const sender = (async () => {
      for (let i = 0; i < 50 && !seen.length; i++) {
        await send('live@example.com', 'Live one');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const created = await reading;
    abort.abort();
    await sender;
    expect(created?.type).toBe('created');
  });

  it('reports errors with status and message, and timeouts with what was awaited', async () => {
    const bad = await mb.client.search('is:nonsense').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MailbeaconError);
    expect((bad as MailbeaconError).status).toBe(400);
    expect((bad as MailbeaconError).message).toContain('nonsense');
    const late = await mb.client
      .waitForMail({ to: 'nobody@example.com', timeout: 300 })
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(MailbeaconTimeoutError);
    expect((late as Error).message).toContain('to:"nobody@example.com"');
    const noEvent = await mb.client
      .waitForEvent({ kind: 'open', classification: 'proxy', timeout: 300 })
      .catch((e: unknown) => e);
    expect((noEvent as Error).message).toContain('a tracking event (kind open, classification proxy)');
    const noRelay = await mb.client.release('nope', ['x@example.org']).catch((e: unknown) => e);
    expect((noRelay as MailbeaconError).status).toBe(404);
  });
});

describe('startSandbox', () => {
  it('runs two sandboxes side by side without sharing mail', async () => {
    const other = await startSandbox();
    try {
      expect(other.http).not.toBe(mb.http);
      expect(other.smtp.port).not.toBe(mb.smtp.port);
      const transport = nodemailer.createTransport({
        host: other.smtp.host,
        port: other.smtp.port,
      });
      await transport.sendMail({
        from: 'a@example.com',
        to: 'only-other@example.com',
        subject: 'Isolated',
        text: 'x',
      });
      transport.close();
      await other.client.waitForMail({ to: 'only-other@example.com' });
      expect((await mb.client.search('to:only-other@example.com')).messages).toEqual([]);
      expect((await other.client.list()).messages.map((m) => m.Subject)).toEqual(['Isolated']);
      expect((await other.client.info()).Database).toBe(':memory:');
    } finally {
      await other.stop();
    }
    await expect(fetch(`${other.http}/api/v1/info`)).rejects.toThrow();
  });
});
