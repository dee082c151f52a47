// The quoted-printable decoder that ingest's reader and the injector share (RFC 2045 §6.7).
import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, encodeQuotedPrintable } from '../../src-main/tracking/inject/transfer.js';

const decode = (qp: string) => decodeQuotedPrintable(Buffer.from(qp, 'latin1')).toString('latin1');

describe('decodeQuotedPrintable', () => {
  it('decodes escapes in either case and joins soft line breaks', () => {
    expect(decode('a=3Db=3db')).toBe('a=b=b');
    expect(decode('caf=C3=A9=\r\n au lait')).toBe('caf\xc3\xa9 au lait');
    expect(decode('one=\ntwo')).toBe('onetwo');
  });

  it('deletes transport padding before a line break, and a soft line break that has some', () => {
    expect(decode('padded  \r\nnext\t\nlast ')).toBe('padded\r\nnext\nlast');
    expect(decode('soft= \t\r\nbreak')).toBe('softbreak');
    expect(decode('inner  spaces\tstay')).toBe('inner  spaces\tstay');
  });

  it('takes `=` at the very end, after padding or not, as a soft line break', () => {
    expect(decode('the end=')).toBe('the end');
    expect(decode('the end=  ')).toBe('the end');
  });

  it('keeps what is not a valid escape as it is', () => {
    expect(decode('a=zz b=4 c= d')).toBe('a=zz b=4 c= d');
    expect(decode('=')).toBe('');
    expect(decode('x=\r')).toBe('x=\r');
    expect(decode('8-bit \xe9 kept')).toBe('8-bit \xe9 kept');
  });

  it('reads back what the encoder writes, for every byte value', () => {
    // (line breaks aside: the encoder writes any line break as the part's own)
    const values = Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256).filter(
      (b) => b !== 10 && b !== 13,
    );
    const bytes = Buffer.from(values);
    const text = Buffer.concat([bytes, Buffer.from('line one  \r\nline two\t\r\n')]);
    expect(decodeQuotedPrintable(Buffer.from(encodeQuotedPrintable(text, '\r\n'), 'latin1'))).toEqual(text);
  });
});
