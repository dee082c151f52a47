import { simpleParser } from 'mailparser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src-main/logger.js';
import { TrackingInjector, type TrackingRule } from '../../src-main/tracking/inject/index.js';
import { escapeAttribute } from '../../src-main/tracking/inject/links.js';
import { encodeQuotedPrintable } from '../../src-main/mime/transfer.js';
import { TokenCodec, generateKey } from '../../src-main/tracking/index.js';
import { hrefs, mustTrack, pixelCount, visibleText } from './html-checks.js';

const BASE = 'http://127.0.0.1:8026';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'html');
const TEMPLATES = readdirSync(FIXTURES).flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f)),
);
const CTX = {
  messageId: 'msg-1',
  sender: 'app@example.com',
  recipients: ['reader@example.org'],
  subject: 'Hello',
};
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

function makeInjector(options: { trackText?: boolean; rules?: TrackingRule[]; enabled?: boolean } = {}) {
  const codec = new TokenCodec({ mode: 'sealed', keys: [generateKey()] });
  const injector = new TrackingInjector({
    codec,
    trackingBase: () => BASE,
    trackText: options.trackText ?? false,
    enabled: options.enabled ?? true,
    rules: options.rules ?? [],
    clock: systemClock,
  });
  return { codec, injector };
}

type Encoding = 'quoted-printable' | 'base64';
type Layout = 'single' | 'alternative' | 'related';

function encodePart(bytes: Buffer, encoding: Encoding): string {
  if (encoding === 'base64') return bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return encodeQuotedPrintable(bytes, '\r\n');
}

/** A mail around an HTML body, written by hand so the test controls every byte. */
function buildMail(html: Buffer, encoding: Encoding, layout: Layout, extraHeaders = ''): Buffer {
  const head =
    `From: App <app@example.com>\r\nTo: reader@example.org\r\nSubject: Hello\r\nMessage-ID: <1@example.com>\r\n` +
    `Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n${extraHeaders}`;
  const htmlPart = `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${encodePart(html, encoding)}\r\n`;
  if (layout === 'single') {
    return Buffer.from(`${head}${htmlPart}`, 'latin1');
  }
  if (layout === 'alternative') {
    const text = 'Hello reader,\r\nvisit https://example.com/plain for more.\r\n';
    return Buffer.from(
      `${head}Content-Type: multipart/alternative; boundary="alt-b"\r\n\r\nThis is a MIME mail.\r\n` +
        `--alt-b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}\r\n` +
        `--alt-b\r\n${htmlPart}--alt-b--\r\n`,
      'latin1',
    );
  }
  return Buffer.from(
    `${head}Content-Type: multipart/related; boundary=rel-b; type="text/html"\r\n\r\n` +
      `--rel-b\r\n${htmlPart}--rel-b\r\nContent-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\n` +
      `Content-ID: <logo@example.com>\r\nContent-Disposition: inline; filename=logo.gif\r\n\r\n${GIF.toString('base64')}\r\n--rel-b--\r\n`,
    'latin1',
  );
}

/** Removes what injection added and restores the original href values; the result must equal the input bytes. */
function undo(
  trackedHtml: string,
  original: Buffer,
  manifest: Awaited<ReturnType<TrackingInjector['inject']>>['manifest'],
): Buffer {
  let out = Buffer.from(trackedHtml.replace(/\n/g, '\r\n'), 'utf8').toString('latin1');
  const originalLatin1 = original.toString('latin1');
  if (manifest.pixel) {
    const start = out.indexOf(`<img src="${escapeAttribute(manifest.pixel.url)}"`);
    const end = out.indexOf('>', start) + 1;
    out = out.slice(0, start) + out.slice(end);
  }
  for (const link of manifest.links) {
    const quote = originalLatin1[link.offset - 1]!;
    const originalValue = originalLatin1.slice(link.offset, originalLatin1.indexOf(quote, link.offset));
    out = out.replace(escapeAttribute(link.trackedUrl), originalValue);
  }
  return Buffer.from(out, 'latin1');
}

describe('TrackingInjector on the template corpus', () => {
  const variants: [Encoding, Layout][] = [
    ['quoted-printable', 'single'],
    ['base64', 'alternative'],
    ['quoted-printable', 'related'],
  ];
  for (const template of TEMPLATES) {
    for (const [encoding, layout] of variants) {
      it(`${template} (${encoding}, ${layout})`, async () => {
        const { injector, codec } = makeInjector();
        // CRLF throughout, as a mail carries it; mailparser shows it with LF
        const html = Buffer.from(
          readFileSync(join(FIXTURES, template), 'latin1').replace(/\r?\n/g, '\r\n'),
          'latin1',
        );
        const raw = buildMail(html, encoding, layout);
        const { raw: tracked, manifest, trackedHtml } = await injector.inject(raw, CTX);
        expect(manifest.enabled).toBe(true);

        const parsed = await simpleParser(tracked);
        const original = await simpleParser(raw);
        expect(typeof parsed.html).toBe('string');
        const trackedDoc = parsed.html as string;
        expect(trackedDoc).toBe(trackedHtml);

        // exactly one pixel
        expect(pixelCount(trackedDoc, BASE)).toBe(1);
        expect(
          codec.decode(new URL(manifest.pixel!.url).searchParams.get('t'), 'open').payload.metadata,
        ).toEqual({
          message_id: 'msg-1',
          recipient: 'reader@example.org',
        });

        // every absolute http(s) link outside placeholders is rewritten, to a token for the same URL
        const before = hrefs(original.html as string);
        const after = hrefs(trackedDoc);
        expect(after).toHaveLength(before.length);
        let rewritten = 0;
        before.forEach((link, i) => {
          if (mustTrack(link)) {
            expect(after[i]!.url.startsWith(`${BASE}/c?t=`)).toBe(true);
            const token = new URL(after[i]!.url).searchParams.get('t');
            expect(codec.decode(token, 'click').payload.url).toBe(link.url);
            rewritten++;
          } else {
            expect(after[i]!.url).toBe(link.url);
          }
        });
        expect(manifest.links).toHaveLength(rewritten);

        // visible text identical, and byte-identical HTML once the rewritten values and the pixel are undone
        expect(visibleText(trackedDoc)).toBe(visibleText(original.html as string));
        // (the reference is the HTML part as decoded, with the line break that ends the part in the mail)
        const reference = Buffer.from((original.html as string).replace(/\n/g, '\r\n'), 'utf8');
        expect(reference.subarray(0, html.length).equals(html)).toBe(true);
        expect(undo(trackedHtml, reference, manifest).toString('latin1')).toBe(reference.toString('latin1'));

        // headers: the original block plus the two unsubscribe lines; every other part byte-identical
        const originalText = raw.toString('latin1');
        const trackedText = tracked.toString('latin1');
        const headerEnd = originalText.indexOf('\r\n\r\n');
        expect(trackedText.slice(0, headerEnd)).toBe(originalText.slice(0, headerEnd));
        const headerLine = (key: string) => parsed.headerLines.find((h) => h.key === key)?.line ?? '';
        expect(headerLine('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
        expect(headerLine('list-unsubscribe')).toBe(`List-Unsubscribe: <${manifest.unsubscribe.url}>`);
        const otherParts = (text: string) =>
          text.split(/\r\n--(?:alt-b|rel-b)/).filter((p) => !p.includes('Content-Type: text/html'));
        expect(otherParts(trackedText).slice(1)).toEqual(otherParts(originalText).slice(1));
        if (layout === 'alternative') expect(parsed.text).toBe(original.text);
        expect(parsed.attachments.map((a) => a.checksum)).toEqual(
          original.attachments.map((a) => a.checksum),
        );

        // the encoding of the HTML part is kept
        expect(trackedText).toContain(`Content-Transfer-Encoding: ${encoding}`);
        if (encoding === 'base64') expect(trackedText).toMatch(/\r\n[A-Za-z0-9+/]{76}\r\n/);
        else for (const line of trackedText.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
      });
    }
  }
});
