// The quoted-printable decoder that ingest's reader and the injector share (RFC 2045 §6.7), and the re-encoding of
// the lines tracking changed.
import { describe, expect, it } from 'vitest';
import {
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  changedLines,
  reencodeChangedLines,
} from '../../src-main/mime/transfer.js';
import { applyEdits, applyPatch, encodePatch } from '../../src-main/mime/patch.js';

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
  const reencode = (output: string) => {
    const edits = reencodeChangedLines(body, source, output, '\r\n');
    return edits && applyEdits(body, edits);
  };

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
    const bytes = applyEdits(soft, reencodeChangedLines(soft, 'one\r\ntwo', 'one\r\nTWO', '\r\n')!);
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

describe('changedLines (a part sent as it is)', () => {
  const source = 'one\r\n<a href="x">two</a>\r\nthree\r\n</body>';
  it('replaces each run of changed lines, and nothing else', () => {
    const output = source.replace('"x"', '"tracked"').replace('</body>', '<img></body>');
    const edits = changedLines(source, output)!;
    expect(edits.map((e) => [e.start, e.end, e.bytes.toString('latin1')])).toEqual([
      [5, 26, '<a href="tracked">two</a>\r\n'],
      [33, 40, '<img></body>'],
    ]);
    expect(applyEdits(Buffer.from(source, 'latin1'), edits).toString('latin1')).toBe(output);
  });
  it('gives up when a line break comes or goes', () => {
    expect(changedLines(source, source.replace('one\r\n', 'one '))).toBeNull();
  });
});

describe('a tracked mail kept as a patch', () => {
  const raw = Buffer.from('Subject: hi\r\n\r\nline one\r\nline two\r\nline three\r\n', 'latin1');
  const edits = [
    { start: 13, end: 13, bytes: Buffer.from('List-Unsubscribe: <u>\r\n', 'latin1') },
    { start: 25, end: 35, bytes: Buffer.from('LINE TWO, tracked\r\n', 'latin1') },
    { start: raw.length, end: raw.length, bytes: Buffer.from('the end\r\n', 'latin1') },
  ];

  it('gives back the tracked mail from the mail as received', () => {
    const tracked = applyEdits(raw, edits);
    expect(tracked.toString('latin1')).toBe(
      'Subject: hi\r\nList-Unsubscribe: <u>\r\n\r\nline one\r\nLINE TWO, tracked\r\nline three\r\nthe end\r\n',
    );
    expect(applyPatch(raw, encodePatch(edits))).toEqual(tracked);
    expect(applyPatch(raw, encodePatch([]))).toBe(raw);
  });

  it('refuses a patch that does not fit the mail', () => {
    expect(() => applyPatch(raw, encodePatch(edits).subarray(0, 20))).toThrow(/cut short/);
    expect(() => applyPatch(raw.subarray(0, 30), encodePatch(edits))).toThrow(/does not fit/);
    expect(() => applyEdits(raw, [edits[1]!, edits[0]!])).toThrow(/does not fit/);
  });
});
