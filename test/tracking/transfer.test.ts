// The quoted-printable decoder that ingest's reader and the injector share (RFC 2045 §6.7), and the re-encoding of
// the lines tracking changed.
import { describe, expect, it } from 'vitest';
import {
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  reencodeChangedLines,
} from '../../src-main/tracking/inject/transfer.js';

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

describe('reencodeChangedLines', () => {
  // As a sender wrote it: lower-case escapes, a long soft-broken line, CRLF line breaks.
  const body = Buffer.from(
    'caf=c3=a9 first line\r\n' +
      '<a href=3d"https://shop.test/a">A</a> and a long line that goes on=\r\n and on\r\n' +
      'unchanged =e2=82=ac line\r\n' +
      '</body>',
    'latin1',
  );
  const source = decodeQuotedPrintable(body).toString('latin1');
  const reencode = (output: string) => reencodeChangedLines(body, source, output, '\r\n');

  it('keeps the lines that did not change byte for byte and encodes the changed ones again', () => {
    const output = source
      .replace('https://shop.test/a', `http://127.0.0.1:8026/c?t=${'T'.repeat(120)}`)
      .replace('</body>', '<img src="p"></body>');
    const bytes = reencode(output)!;
    expect(decodeQuotedPrintable(bytes).toString('latin1')).toBe(output);
    const text = bytes.toString('latin1');
    expect(text.startsWith('caf=c3=a9 first line\r\n')).toBe(true);
    expect(text).toContain('\r\nunchanged =e2=82=ac line\r\n');
    expect(text.split('\r\n').every((line) => line.length <= 76)).toBe(true);
  });

  it('keeps a soft line break at the very end when the last line changes', () => {
    const soft = Buffer.from('one\r\ntwo=\r\n', 'latin1');
    const bytes = reencodeChangedLines(soft, 'one\r\ntwo', 'one\r\nTWO', '\r\n')!;
    expect(bytes.toString('latin1')).toBe('one\r\nTWO=\r\n');
    expect(decodeQuotedPrintable(bytes).toString('latin1')).toBe('one\r\nTWO');
  });

  it('gives up when the lines do not line up', () => {
    // an edit that adds or removes a line break
    expect(reencode(source.replace('first line', 'first\nline'))).toBeNull();
    expect(reencode(source.replace('and on\r\nunchanged', 'and on unchanged'))).toBeNull();
    // a line break sent as an escape
    const escaped = Buffer.from('a=0Ab\r\nc', 'latin1');
    expect(reencodeChangedLines(escaped, 'a\nb\r\nc', 'a\nb\r\nC', '\r\n')).toBeNull();
  });
});
