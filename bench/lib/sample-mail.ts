import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** The benchmark's mail: a transactional HTML mail with this many bytes of HTML, like a receipt or a sign-up mail. */
export const HTML_BYTES = 5 * 1024;

/** Words that vary from mail to mail, so full-text search has something to tell apart. */
export const WORDS = [
  'invoice',
  'receipt',
  'refund',
  'shipment',
  'password',
  'welcome',
  'newsletter',
  'reminder',
  'subscription',
  'verification',
  'delivery',
  'feedback',
  'upgrade',
  'cancellation',
  'statement',
  'appointment',
  'voucher',
  'security',
  'digest',
  'renewal',
];

/** Senders; `n % SENDERS` picks one, so a from: search matches one mail in SENDERS. */
export const SENDERS = 50;

export interface SampleMail {
  subject: string;
  from: string;
  to: string;
  word: string;
}

export function sampleFields(n: number): SampleMail {
  const word = WORDS[n % WORDS.length]!;
  return {
    subject: `Your ${word} for order ${n}`,
    from: `billing@shop${n % SENDERS}.test`,
    to: `user${n}@example.test`,
    word,
  };
}

// Addresses the composer leaves alone (it would quote an `@@…@@` placeholder), replaced per mail.
const FROM_PLACEHOLDER = 'sender@placeholder.invalid';
const TO_PLACEHOLDER = 'recipient@placeholder.invalid';

function htmlBody(): string {
  const row = (i: number) =>
    `<tr><td style="padding:8px 12px;border-bottom:1px solid #eee">Item ${i}: a sturdy thing you ordered</td>` +
    `<td style="padding:8px 12px;text-align:right">€ ${(i * 3.5).toFixed(2)}</td></tr>\n`;
  let rows = '';
  for (let i = 1; rows.length < HTML_BYTES - 900; i++) rows += row(i);
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>@@SUBJECT@@</title></head>\n` +
    `<body style="font-family:Arial,sans-serif;color:#222"><h1>Thanks for your order</h1>\n` +
    `<p>Hi @@NAME@@, here is your @@WORD@@. <a href="https://shop.example.test/orders/@@N@@">View your order</a> or ` +
    `<a href="https://shop.example.test/help">ask us anything</a>.</p>\n<table>\n${rows}</table>\n` +
    `<p><a href="https://shop.example.test/unsubscribe">Unsubscribe</a></p></body></html>`;
  return html + ' '.repeat(Math.max(0, HTML_BYTES - Buffer.byteLength(html)));
}

/**
 * Builds the mail once with nodemailer's composer and returns a cheap per-mail renderer (string replacement), so
 * the load generator spends its CPU on sending, not on MIME. The result is the SMTP DATA content: CRLF line endings,
 * dot-stuffed, ending in CRLF.
 */
export async function sampleMailRenderer(): Promise<(n: number) => Buffer> {
  const composed = await new MailComposer({
    from: FROM_PLACEHOLDER,
    to: TO_PLACEHOLDER,
    subject: '@@SUBJECT@@',
    messageId: '<@@N@@.bench@shop.example.test>',
    date: new Date('2026-11-23T10:00:00Z'),
    html: htmlBody(),
    textEncoding: 'quoted-printable',
  })
    .compile()
    .build();
  const template = composed
    .toString('latin1')
    .replace(/\r?\n/g, '\r\n')
    .replace(/^\./gm, '..')
    .replace(/(?:\r\n)?$/, '\r\n');
  const placeholders = ['@@SUBJECT@@', '@@WORD@@', '@@NAME@@', '@@N@@', FROM_PLACEHOLDER, TO_PLACEHOLDER];
  if (!placeholders.every((p) => template.includes(p)))
    throw new Error('[bench] the composer encoded a placeholder; the sample mail cannot be rendered');
  return (n) => {
    const f = sampleFields(n);
    return Buffer.from(
      template
        .replaceAll('@@SUBJECT@@', f.subject)
        .replaceAll(FROM_PLACEHOLDER, f.from)
        .replaceAll(TO_PLACEHOLDER, f.to)
        .replaceAll('@@NAME@@', `user${n}`)
        .replaceAll('@@WORD@@', f.word)
        .replaceAll('@@N@@', String(n)),
      'latin1',
    );
  };
}
