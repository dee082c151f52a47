// Simple mails are read for listing and search without mailparser (src-main/ingest/simple-mail.ts). Whatever that
// reader answers must be what mailparser reads from the same bytes; these tests hold the two to each other over the
// whole corpus, the HTML templates composed every way an application sends them, and hand-made edge cases.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { describe, expect, it } from 'vitest';
import { makeSnippet, parseMail, readWithMailparser } from '../../src-main/ingest/parse.js';
import { readSimpleMail, type MailContent } from '../../src-main/ingest/simple-mail.js';
import { sampleMailRenderer } from '../../bench/lib/sample-mail.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path, ext);
      return name.endsWith(ext) ? [path] : [];
    })
    .sort();
}

/** Both readers' answers side by side, dates as times (an unreadable Date header is "now" to both). */
function comparable(content: MailContent): Omit<MailContent, 'date'> & { date: number | undefined } {
  return { ...content, date: content.date?.getTime() };
}

/** Reads the mail both ways; true when the simple reader took it (and then agreed with mailparser). */
async function agrees(raw: Buffer, name: string): Promise<boolean> {
  const simple = readSimpleMail(raw);
  if (!simple) return false;
  const { content, parts } = await readWithMailparser(raw);
  expect(parts, `${name}: mailparser found attachments in a mail read as simple`).toEqual([]);
  const a = comparable(simple);
  const b = comparable(content);
  if (
    a.date !== undefined &&
    b.date !== undefined &&
    Math.abs(a.date - b.date) < 60_000 &&
    a.date !== b.date
  ) {
    // both readers fell back to the time of reading for a Date header neither can read
    a.date = b.date;
  }
  expect(a, name).toEqual(b);
  return true;
}

function compose(options: Mail.Options): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

const templates = files(join(FIXTURES, 'html'), '.html').map((path) => ({
  name: path.slice(FIXTURES.length + 1),
  html: readFileSync(path, 'utf8'),
}));

describe('the simple-mail reader', () => {
  it('agrees with mailparser on every corpus mail it takes, and takes the simple ones', async () => {
    let taken = 0;
    const corpus = files(join(FIXTURES, 'eml'), '.eml');
    for (const path of corpus) {
      if (await agrees(readFileSync(path), path.slice(FIXTURES.length + 1))) taken++;
    }
    expect(corpus.length).toBeGreaterThan(100);
    expect(taken).toBeGreaterThanOrEqual(5); // most of the corpus is multipart with attachments, on purpose
  });

  it.each(templates)('agrees with mailparser on $name in every common shape', async ({ name, html }) => {
    const headers = {
      from: '"Shöp, Inc." <billing@shop.example>',
      to: ['Ana Müller <ana@example.org>', 'bo@example.org'],
      cc: 'Team: c@example.org, d@example.org;',
      replyTo: 'support@shop.example',
      subject: 'Ihre Rechnung – Nr. 42 😀',
      date: new Date('2026-11-23T10:00:00Z'),
      messageId: '<abc.42@shop.example>',
    };
    const text = 'Hello Ana,\r\nyour receipt: https://shop.example/r/42\r\n\r\nGrüße\n';
    const shapes: [string, Mail.Options][] = [
      ['html only', { ...headers, html }],
      ['text and html', { ...headers, text, html }],
      ['html as base64', { ...headers, html, textEncoding: 'base64' }],
      ['text only', { ...headers, text }],
    ];
    for (const [shape, options] of shapes) {
      expect(await agrees(await compose(options), `${name}, ${shape}`), `${name}, ${shape}`).toBe(true);
    }
  });

  it('takes the benchmark mail', async () => {
    const render = await sampleMailRenderer();
    for (let n = 0; n < 5; n++) expect(await agrees(render(n), `sample ${n}`)).toBe(true);
  });

  it('agrees with mailparser, or steps aside, on damaged copies of simple mails', async () => {
    const render = await sampleMailRenderer();
    const html = templates[0]!.html;
    const bases = [
      render(1),
      await compose({ from: 'a@example.org', to: 'b@example.org', subject: 'Grüße', text: 'hi\n', html }),
      await compose({
        from: 'a@example.org',
        to: 'b@example.org',
        subject: 'b64',
        html,
        textEncoding: 'base64',
      }),
    ];
    const noise = [
      '\r\n',
      '\n',
      '\r',
      '=',
      '--',
      ' ',
      ':',
      ';',
      '"',
      'Content-Type: text/plain\r\n',
      '\u00ff',
      '\0',
    ];
    let seed = 31337;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    let taken = 0;
    let trials = 0;
    for (const base of bases) {
      for (let round = 0; round < 600; round++) {
        let bytes = Buffer.from(base);
        for (let edits = 1 + (next() % 3); edits > 0; edits--) {
          // half the damage lands in the first 600 bytes: the headers and the first boundary
          const at = next() % (next() % 2 ? Math.min(600, bytes.length) : bytes.length);
          const kind = next() % 3;
          if (kind === 0)
            bytes = bytes.subarray(0, at); // truncated
          else if (kind === 1)
            bytes[at] = next() % 256; // a flipped byte
          else {
            const insert = Buffer.from(noise[next() % noise.length]!, 'latin1');
            bytes = Buffer.concat([bytes.subarray(0, at), insert, bytes.subarray(at)]);
          }
        }
        trials++;
        if (await agrees(bytes, `damaged copy ${trials}`)) taken++;
      }
    }
    // Most damage leaves a mail the reader still takes; the rest it leaves to mailparser.
    expect(taken).toBeGreaterThan(trials / 4);
  });

  it.each([
    [
      'folded and encoded headers, repeated To and Subject',
      'From: =?utf-8?q?J=C3=B6rg?= <j@example.org>\r\nTo: a@example.org\r\nTo: "B, b" <b@example.org>\r\n' +
        'Subject: =?utf-8?b?R3LDvMOfZQ==?=\r\n  und mehr\r\nSubject: second\r\nMessage-ID: no-brackets@x\r\n' +
        'Date: not a date\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nbody\r\n',
    ],
    [
      'raw UTF-8 in headers and body, 8bit',
      'From: Zoë <z@example.org>\r\nSubject: Grüße aus Köln\r\nContent-Type: text/html; charset="utf-8"\r\n' +
        'Content-Transfer-Encoding: 8bit\r\n\r\n<p>Grüße</p>\r\n',
    ],
    [
      'quoted-printable with soft breaks and trailing spaces',
      'From: a@example.org\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        'a long line =\r\ncontinued  \r\n=C3=A9t=C3=A9 =3D done=\r\n',
    ],
    [
      'alternative with the HTML first and a preamble',
      'From: a@example.org\r\nContent-Type: multipart/alternative; boundary="b1"\r\n\r\npreamble\r\n--b1\r\n' +
        'Content-Type: text/html; charset=utf-8\r\n\r\n<b>hi</b>\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
        '--b1--\r\nepilogue\r\n',
    ],
    [
      'the shape Rails (Action Mailer) sends',
      'Date: Mon, 23 Nov 2026 10:00:00 +0100\r\nFrom: Shop <shop@example.com>\r\nTo: ana@example.org\r\n' +
        'Message-ID: <5f3a@host.mail>\r\nSubject: Welcome\r\nMime-Version: 1.0\r\n' +
        'Content-Type: multipart/alternative;\r\n boundary="--==_mimepart_6741a2b3c4d5e_1a2b3c";\r\n charset=UTF-8\r\n' +
        'Content-Transfer-Encoding: 7bit\r\n\r\n\r\n----==_mimepart_6741a2b3c4d5e_1a2b3c\r\n' +
        'Content-Type: text/plain;\r\n charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nWelcome, Ana!\r\n\r\n' +
        '----==_mimepart_6741a2b3c4d5e_1a2b3c\r\nContent-Type: text/html;\r\n charset=UTF-8\r\n' +
        'Content-Transfer-Encoding: 7bit\r\n\r\n<!DOCTYPE html>\r\n<html><body><p>Welcome, Ana!</p></body></html>\r\n\r\n' +
        '----==_mimepart_6741a2b3c4d5e_1a2b3c--\r\n',
    ],
    [
      'the shape Django sends (EmailMultiAlternatives, 8bit)',
      'Content-Type: multipart/alternative;\r\n boundary="===============1234567890123456789=="\r\n' +
        'MIME-Version: 1.0\r\nSubject: =?utf-8?q?R=C3=A9initialiser?=\r\nFrom: webmaster@localhost\r\n' +
        'To: ana@example.org\r\nDate: Mon, 23 Nov 2026 09:00:00 -0000\r\nMessage-ID: <1.2.3@host>\r\n\r\n' +
        '--===============1234567890123456789==\r\nContent-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\n' +
        'Content-Transfer-Encoding: 8bit\r\n\r\nRéinitialiser: https://example.org/reset/x\r\n' +
        '--===============1234567890123456789==\r\nContent-Type: text/html; charset="utf-8"\r\nMIME-Version: 1.0\r\n' +
        'Content-Transfer-Encoding: 8bit\r\n\r\n<a href="https://example.org/reset/x">Réinitialiser</a>\r\n' +
        '--===============1234567890123456789==--\r\n',
    ],
    [
      'the shape Symfony Mailer (Laravel) sends',
      'From: Example <hello@example.com>\r\nTo: ana@example.org\r\nSubject: Invoice Paid\r\n' +
        'Message-ID: <abc@example.com>\r\nMIME-Version: 1.0\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n' +
        'Content-Type: multipart/alternative; boundary=Y5ZAb7rW\r\n\r\n--Y5ZAb7rW\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        'Your invoice =E2=80=93 paid. Thanks for using Example, a very long line that =\r\nwraps.\r\n' +
        '--Y5ZAb7rW\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        '<p style=3D"color:#333">Your invoice =E2=80=93 paid.</p>\r\n--Y5ZAb7rW--\r\n',
    ],
    ['no Content-Type at all', 'From: a@example.org\r\nSubject: plain\r\n\r\njust text\r\n'],
    ['empty subject and message id', 'From: a@example.org\r\nSubject:\r\nMessage-ID:\r\n\r\nx\r\n'],
    ['an address group with no members', 'From: a@example.org\r\nTo: undisclosed-recipients:;\r\n\r\nx\r\n'],
  ])('agrees with mailparser on %s', async (name, mail) => {
    expect(await agrees(Buffer.from(mail), name)).toBe(true);
  });

  it.each([
    [
      'an attachment',
      'From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n' +
        'x\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n' +
        '%PDF\r\n--b--\r\n',
    ],
    [
      'a charset to convert',
      'From: a@example.org\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nx\r\n',
    ],
    [
      'format=flowed text',
      'From: a@example.org\r\nContent-Type: text/plain; format=flowed\r\n\r\nx \r\ny\r\n',
    ],
    ['a comment in the content type', 'From: a@example.org\r\nContent-Type: text/plain (note)\r\n\r\nx\r\n'],
    ['an encoded word in an address', 'From: A <=?utf-8?q?a=40example.org?=>\r\n\r\nx\r\n'],
    ['a punycode domain', 'From: a@xn--mnchen-3ya.example\r\n\r\nx\r\n'],
    ['bare LF line endings', 'From: a@example.org\nSubject: lf\n\nx\n'],
    ['headers only', 'From: a@example.org\r\nSubject: nothing more\r\n'],
    [
      'two text parts',
      'From: a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n',
    ],
  ])('leaves %s to mailparser', async (_name, mail) => {
    const raw = Buffer.from(mail);
    expect(readSimpleMail(raw)).toBeUndefined();
    // and parseMail still reads it, through mailparser
    expect((await parseMail(raw)).warnings.filter((w) => w.includes('MIME'))).toEqual([]);
  });
});

describe('makeSnippet', () => {
  it('runs whitespace together, trims, and cuts at 250 characters', () => {
    expect(makeSnippet('  Hello\r\n\tworld \u00a0 again  ')).toBe('Hello world again');
    expect(makeSnippet('')).toBe('');
    expect(makeSnippet('a'.repeat(250))).toBe('a'.repeat(250));
    expect(makeSnippet(` ${'a'.repeat(251)} `)).toBe(`${'a'.repeat(250)}…`);
    expect(makeSnippet(`${' '.repeat(5000)}a`)).toBe('a');
    // a zero-width space is not whitespace
    expect(makeSnippet('a\u200bb')).toBe('a\u200bb');
  });
});
