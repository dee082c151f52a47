// A stored mail's text, HTML and headers are read from its bytes when it is shown; big attachments are not decoded
// for that, and nothing shown changes.
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src-main/ingest/parse.js';

async function compose(attachmentBytes: number): Promise<Buffer> {
  return new MailComposer({
    from: 'Shop <shop@example.com>',
    to: 'ana@example.org',
    subject: 'Invoice attached',
    text: 'Hello Ana,\n\nyour invoice is attached. Grüße!\n',
    html: '<p>Hello Ana, your invoice is attached. <img src="cid:logo@shop"> Grüße!</p>',
    attachments: [
      { filename: 'invoice.pdf', content: Buffer.alloc(attachmentBytes, 0x41) },
      { filename: 'logo.png', content: Buffer.alloc(4096, 0x89), cid: 'logo@shop' },
      { filename: 'notes.txt', content: 'a text attachment, not the text of the mail\n' },
    ],
  })
    .compile()
    .build();
}

describe('readBody', () => {
  it.each([
    ['a small mail', 2_000],
    ['a mail with a 2 MB attachment', 2_000_000],
  ])('gives what mailparser reads from the whole mail: %s', async (_name, size) => {
    const raw = await compose(size);
    const body = await readBody(raw);
    const whole = await simpleParser(raw, { keepCidLinks: true, skipHtmlToText: true, skipTextToHtml: true });
    expect(body.text).toBe(whole.text);
    expect(body.html).toBe(whole.html);
    expect(body.text).toContain('Grüße');
    expect(body.html).toContain('cid:logo@shop');
    expect(body.headers.find((h) => h.name === 'Subject')?.value).toBe('Invoice attached');
  });

  it('reads a mail whose structure is broken as well as mailparser can', async () => {
    const raw = Buffer.from(
      `Subject: broken\r\nContent-Type: multipart/mixed\r\n\r\n${'x'.repeat(300_000)}\r\n`,
      'latin1',
    );
    const body = await readBody(raw);
    expect(body.headers.find((h) => h.name === 'Subject')?.value).toBe('broken');
    expect(typeof body.text).toBe('string');
  });
});
