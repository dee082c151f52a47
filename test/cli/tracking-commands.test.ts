import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decode, keygen, mint } from '../../src-main/cli/tracking-commands.js';
import { TokenCodec, loadOrCreateKeyFile } from '../../src-main/tracking/index.js';
import { runCommand } from './run-command.js';

const run = runCommand;

describe('tracking CLI commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mb-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keygen prints a fresh 64-character hex key', async () => {
    const a = await run(keygen, []);
    const b = await run(keygen, []);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^[0-9a-f]{64}\n$/);
    expect(a.out).not.toBe(b.out);
  });

  it('mint and decode round-trip with the data dir key, which the library reads too', async () => {
    const minted = await run(mint, [
      'click',
      '--url',
      'https://example.com/x',
      '--meta',
      'message_id=abc',
      '--meta',
      'k=v=w',
      '--data-dir',
      dir,
      '--tracking-url',
      'https://t.example/',
    ]);
    expect(minted.code).toBe(0);
    const url = new URL(minted.out.trim());
    expect(url.origin + url.pathname).toBe('https://t.example/c');
    const decoded = await run(decode, [minted.out.trim(), '--data-dir', dir]);
    expect(decoded.code).toBe(0);
    const payload = JSON.parse(decoded.out) as Record<string, unknown>;
    expect(payload).toMatchObject({
      kind: 'click',
      url: 'https://example.com/x',
      metadata: { message_id: 'abc', k: 'v=w' },
    });
    expect(decoded.out).toMatch(/"ts":\d{19}/);
    const codec = new TokenCodec({ mode: 'sealed', keys: [loadOrCreateKeyFile(dir)] });
    expect(codec.decode(url.searchParams.get('t'), 'click').payload.metadata.message_id).toBe('abc');
  });

  it('uses --tracking-key and --token-mode like serve', async () => {
    const key = (await run(keygen, [])).out.trim();
    const minted = await run(mint, [
      'open',
      '--tracking-key',
      key,
      '--token-mode',
      'signed',
      '--data-dir',
      ':memory:',
    ]);
    expect(minted.code).toBe(0);
    expect(minted.out).toMatch(/^http:\/\/127\.0\.0\.1:8026\/o\?t=[\w-]+\.[\w-]+\n$/);
    const token = new URL(minted.out.trim()).searchParams.get('t')!;
    expect((await run(decode, [token, '--tracking-key', key, '--data-dir', ':memory:'])).code).toBe(0);
  });

  it('reports user errors with exit code 1 and a message on stderr', async () => {
    const cases: [typeof mint, string[], RegExp][] = [
      [mint, ['click', '--data-dir', dir], /needs --url/],
      [mint, ['bogus', '--data-dir', dir], /open, click or unsub/],
      [mint, ['click', '--url', 'ftp://x', '--data-dir', dir], /http\(s\)/],
      [mint, ['open', '--meta', 'novalue', '--data-dir', dir], /key=value/],
      [mint, ['open', '--data-dir', ':memory:'], /--tracking-key/],
      [mint, ['open', '--tracking-key', 'short', '--data-dir', dir], /\[tracking\]/],
      [mint, ['open', '--nope'], /Unknown option/],
      [decode, ['garbage!', '--data-dir', dir], /\[tracking\]/],
      [
        decode,
        ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '--data-dir', dir],
        /not sealed with any known key/,
      ],
      [decode, ['--data-dir', dir], /exactly one token/],
    ];
    for (const [command, argv, message] of cases) {
      const result = await run(command, argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.err).toMatch(message);
      expect(result.out).toBe('');
    }
  });
});
