import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src-main/api/routes/messages.js';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** The name a browser saves: `filename*` (RFC 6266, UTF-8) when present, else the quoted fallback. */
function savedName(header: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]!);
  return /filename="([^"]*)"/.exec(header)![1]!;
}

const NAMES = [
  'plain report.pdf',
  '季度报告.pdf',
  'résumé.txt',
  '🎉 party.txt',
  'tab\there.txt',
  'bell\u0007.txt',
  'quote"and\\slash.txt',
  'percent%41.txt',
  "it's (final)*.txt",
];

describe('attachment downloads work for every file name', () => {
  let t: TestSandbox;
  let parts: { PartID: string; FileName: string }[];
  let id: string;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:' });
    await smtpTransport(t).sendMail({
      from: 'a@x.test',
      to: 'b@x.test',
      subject: 'names',
      text: 'see attached',
      attachments: NAMES.map((filename, i) => ({ filename, content: `file ${i}` })),
    });
    const list = (await (await fetch(`${t.http}/api/v1/messages`)).json()) as { messages: { ID: string }[] };
    id = list.messages[0]!.ID;
    const message = (await (await fetch(`${t.http}/api/v1/message/${id}`)).json()) as {
      Attachments: { PartID: string; FileName: string }[];
    };
    parts = message.Attachments;
  });
  afterAll(() => t.stop());

  it('stores every attachment', () => {
    expect(parts).toHaveLength(NAMES.length);
  });

  it.each(NAMES.map((name, i) => [name, i] as const))(
    'serves %j with a usable Content-Disposition',
    async (name, i) => {
      // Parts are listed in MIME order; the body says which file each one is.
      let found = false;
      for (const part of parts) {
        const res = await fetch(`${t.http}/api/v1/message/${id}/part/${part.PartID}`);
        expect(res.status).toBe(200);
        if ((await res.text()) !== `file ${i}`) continue;
        found = true;
        expect(part.FileName.replace(/\s/g, ' ')).toBe(name.replace(/\s/g, ' '));
        const header = res.headers.get('content-disposition')!;
        // Only printable ASCII travels in the header; the real name is in filename* when it needs it.
        expect(header).toMatch(/^inline; filename="[\x20-\x7e]*"/);
        expect(header).not.toMatch(/[^\x20-\x7e]/);
        // eslint-disable-next-line no-control-regex -- control characters are what the header must not carry
        expect(savedName(header)).toBe(part.FileName.replace(/[\u0000-\u001f\u007f]/g, '_'));
      }
      expect(found).toBe(true);
    },
  );

  it('gives a fallback without quotes, backslashes or percent signs, and filename* only when needed', () => {
    expect(contentDisposition('inline', 'a.pdf')).toBe('inline; filename="a.pdf"');
    expect(contentDisposition('attachment', '报告.pdf')).toBe(
      `attachment; filename="__.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`,
    );
    expect(contentDisposition('inline', 'q"\\%.txt')).toBe(
      `inline; filename="q___.txt"; filename*=UTF-8''q%22%5C%25.txt`,
    );
  });
});
