// Every template of the corpus sent through SMTP to a real Sandbox: the stored tracked mail parses, has one pixel,
// every absolute http(s) link outside placeholders is rewritten, and nothing else changed.
import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageTracking } from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { hrefs, mustTrack, pixelCount, visibleText } from './html-checks.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'html');
const TEMPLATES = readdirSync(FIXTURES).flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f)),
);
const LOGO = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/** The header block (up to the empty line) and everything after it. */
function split(raw: Buffer): { head: string; body: string } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, end + 2), body: text.slice(end + 4) };
}

describe('the template corpus through SMTP into a sandbox', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox();
  });
  afterAll(() => t.stop());

  const variants = [
    { encoding: 'quoted-printable', related: false },
    { encoding: 'base64', related: true },
  ] as const;

  for (const template of TEMPLATES) {
    for (const { encoding, related } of variants) {
      it(`${template} (${encoding}${related ? ', multipart/related' : ', multipart/alternative'})`, async () => {
        const html = readFileSync(join(FIXTURES, template));
        const transport = smtpTransport(t);
        const info = await transport.sendMail({
          from: 'App <app@example.com>',
          to: 'reader@example.org',
          subject: `Corpus ${template}`,
          text: 'Plain version with a link: https://example.com/plain\n',
          // a stream makes nodemailer use textEncoding instead of picking one itself
          html: Readable.from([html]),
          textEncoding: encoding,
          attachments: related ? [{ filename: 'logo.gif', content: LOGO, cid: 'logo@example.com' }] : [],
        });
        transport.close();
        const id = queuedId(info.response);

        const original = Buffer.from(await (await fetch(`${t.http}/api/v1/message/${id}/raw`)).arrayBuffer());
        const tracked = Buffer.from(
          await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).arrayBuffer(),
        );
        const manifest = await getJson<MessageTracking>(`${t.http}/api/v1/message/${id}/tracking`);
        expect(manifest.enabled).toBe(true);
        expect(split(original).body).toContain(`Content-Transfer-Encoding: ${encoding}`);
        if (related) expect(original.toString('latin1')).toContain('Content-Type: multipart/related');

        const before = await simpleParser(original);
        const after = await simpleParser(tracked);
        const base = new URL(manifest.pixel!.url).origin;
        expect(pixelCount(after.html as string, base)).toBe(1);
        expect(pixelCount(before.html as string, base)).toBe(0);

        const linksBefore = hrefs(before.html as string);
        const linksAfter = hrefs(after.html as string);
        expect(linksAfter).toHaveLength(linksBefore.length);
        const expected = linksBefore.filter(mustTrack).map((l) => l.url);
        linksBefore.forEach((link, i) => {
          if (mustTrack(link)) expect(linksAfter[i]!.url.startsWith(`${base}/c?t=`)).toBe(true);
          else expect(linksAfter[i]!.url).toBe(link.url);
        });
        expect(manifest.links.map((l) => l.originalUrl)).toEqual(expected);

        expect(visibleText(after.html as string)).toBe(visibleText(before.html as string));
        expect(after.text).toBe(before.text);
        expect(after.attachments.map((a) => [a.cid, a.checksum])).toEqual(
          before.attachments.map((a) => [a.cid, a.checksum]),
        );

        // headers: the original block, then the two unsubscribe lines; only the HTML part's body differs
        const o = split(original);
        const k = split(tracked);
        expect(k.head).toBe(
          `${o.head}List-Unsubscribe: <${manifest.unsubscribe.url}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n`,
        );
        const boundaries = [...o.head.concat(o.body).matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]!);
        const delimiter = new RegExp(
          `\r\n(?=--(?:${boundaries.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}))`,
        );
        const parts = (body: string) => body.split(delimiter);
        const partsBefore = parts(o.body);
        const partsAfter = parts(k.body);
        expect(partsAfter).toHaveLength(partsBefore.length);
        const changed = partsBefore.filter((p, i) => p !== partsAfter[i]);
        expect(changed).toHaveLength(1);
        expect(changed[0]).toContain('Content-Type: text/html');
      });
    }
  }
});
