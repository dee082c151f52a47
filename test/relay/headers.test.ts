import { describe, expect, it } from 'vitest';
import { prependHeader, removeHeader } from '../../src-main/relay/headers.js';

describe('header edits on raw mail', () => {
  it('removes every occurrence of a field, folded lines included, case-insensitively, and nothing in the body', () => {
    const raw = Buffer.from(
      'x-mailbeacon-track: off\r\nSubject: Hi\r\nX-Mailbeacon-Track: off,\r\n\tstill the same field\r\n' +
        'To: a@b.test\r\n\r\nX-Mailbeacon-Track: off\r\nbody\r\n',
    );
    expect(removeHeader(raw, 'X-Mailbeacon-Track').toString()).toBe(
      'Subject: Hi\r\nTo: a@b.test\r\n\r\nX-Mailbeacon-Track: off\r\nbody\r\n',
    );
  });

  it('keeps the very buffer when the field is absent, and handles LF-only mail and 8-bit header bytes', () => {
    const raw = Buffer.from('Subject: Hi\r\n\r\nbody');
    expect(removeHeader(raw, 'X-Mailbeacon-Track')).toBe(raw);
    const lf = Buffer.concat([
      Buffer.from('Subject: caf'),
      Buffer.from([0xc3, 0xa9]),
      Buffer.from('\nX-Mailbeacon-Track: off\n\nbody\n'),
    ]);
    const out = removeHeader(lf, 'x-mailbeacon-track');
    expect(
      out.equals(
        Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\n\nbody\n')]),
      ),
    ).toBe(true);
    expect(prependHeader(out, 'X-Test', '1').toString('latin1')).toMatch(/^X-Test: 1\nSubject/);
  });

  it('refuses to write a header that would inject another line', () => {
    expect(() => prependHeader(Buffer.from('A: b\r\n\r\n'), 'X-Test', 'a\r\nBcc: x@y')).toThrow(/line break/);
  });
});
