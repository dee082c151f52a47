import { parseArgs } from 'node:util';
import type { TokenKind } from '../model/tracking.js';
import { ConfigError, loadSettings } from '../config/load.js';
import { KeyError, generateKey } from '../tracking/keys.js';
import { codecFromSettings, trackingBaseUrl } from '../tracking/setup.js';
import { TOKEN_KINDS, TokenError, isExpired, serializePayload } from '../tracking/token.js';
import { trackingUrl } from '../tracking/urls.js';

interface Writable {
  write(chunk: string): unknown;
}

export const KEYGEN_HELP = `Usage: mailbeacon keygen

Prints a new random 32-byte tracking key as 64 hex characters, for --tracking-key or another service's config.`;

export const MINT_HELP = `Usage: mailbeacon mint open|click|unsub [--url U] [--meta k=v …] [--exp UNIX_SECONDS]
                      [--data-dir D] [--tracking-url T] [--tracking-key K …] [--token-mode M]

Prints a tracking URL minted with the sandbox's key, as a mail would carry it.

  --url U            destination of a click (required) or unsubscribe link
  --meta k=v         metadata carried in the token (repeatable), e.g. --meta message_id=abc
  --exp S            unix seconds after which hits count as expired
  --data-dir D       data directory whose tracking.key to use
  --tracking-url T   public base of the links (default: the tracking listener, 127.0.0.1:8026)
  --tracking-key K   key to mint with instead of the data dir's
  --token-mode M     sealed (default), signed or plain`;

export const DECODE_HELP = `Usage: mailbeacon decode TOKEN|URL [--data-dir D] [--tracking-key K …] [--token-mode M]

Prints a token's payload as JSON (ts in unix nanoseconds), or why it is not valid.`;

const KEY_OPTIONS = {
  'data-dir': { type: 'string' },
  'tracking-key': { type: 'string', multiple: true },
  'token-mode': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Settings for the codec, from the same flags, env and config file `serve` reads. */
function codecFor(values: { 'data-dir'?: string; 'tracking-key'?: string[]; 'token-mode'?: string }) {
  const flags: Record<string, unknown> = {};
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['tracking-key'] !== undefined) flags.trackingKey = values['tracking-key'];
  if (values['token-mode'] !== undefined) flags.tokenMode = values['token-mode'];
  const settings = loadSettings(flags);
  if (settings.dataDir === ':memory:' && settings.trackingKey.length === 0) {
    throw new ConfigError([
      '[tracking] with --data-dir :memory: the key is random per run; give --tracking-key',
    ]);
  }
  return { settings, ...codecFromSettings(settings) };
}

function userError(err: Writable, e: unknown, help?: string): number {
  const message =
    e instanceof ConfigError || e instanceof KeyError || e instanceof TokenError
      ? e.message
      : `[tracking] ${(e as Error).message}`;
  err.write(`${message}\n${help ? `\n${help}\n` : ''}`);
  return 1;
}

/** `mailbeacon keygen` */
export async function keygen(
  argv: string[],
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      out.write(`${KEYGEN_HELP}\n`);
      return 0;
    }
  } catch (e) {
    return userError(err, e, KEYGEN_HELP);
  }
  out.write(`${generateKey().toString('hex')}\n`);
  return 0;
}

/** `mailbeacon mint open|click|unsub …` */
export async function mint(
  argv: string[],
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        ...KEY_OPTIONS,
        url: { type: 'string' },
        meta: { type: 'string', multiple: true },
        exp: { type: 'string' },
        'tracking-url': { type: 'string' },
      },
    });
  } catch (e) {
    return userError(err, e, MINT_HELP);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${MINT_HELP}\n`);
    return 0;
  }
  const kind = positionals[0] as TokenKind | undefined;
  if (!kind || !TOKEN_KINDS.includes(kind) || positionals.length > 1) {
    return userError(err, new Error('give exactly one kind: open, click or unsub'), MINT_HELP);
  }
  if (kind === 'click' && !values.url)
    return userError(err, new Error('a click link needs --url'), MINT_HELP);
  if (values.url !== undefined) {
    let protocol = '';
    try {
      protocol = new URL(values.url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      return userError(err, new Error(`--url must be an absolute http(s) URL, not "${values.url}"`));
    }
  }
  const metadata: Record<string, string> = {};
  for (const pair of values.meta ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return userError(err, new Error(`--meta takes key=value, not "${pair}"`));
    metadata[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const exp = values.exp === undefined ? undefined : Number(values.exp);
  if (exp !== undefined && (!Number.isSafeInteger(exp) || exp <= 0)) {
    return userError(err, new Error('--exp must be unix seconds'));
  }
  try {
    const { settings, codec } = codecFor(values);
    const base = trackingBaseUrl(
      values['tracking-url'] ?? settings.trackingUrl,
      settings.tracking.host,
      settings.tracking.port,
    );
    const { token } = codec.mint({ kind, url: values.url, metadata, exp });
    out.write(`${trackingUrl(base, kind, token)}\n`);
    return 0;
  } catch (e) {
    return userError(err, e);
  }
}

/** `mailbeacon decode TOKEN` (a whole tracking URL works too). */
export async function decode(
  argv: string[],
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: KEY_OPTIONS });
  } catch (e) {
    return userError(err, e, DECODE_HELP);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${DECODE_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) return userError(err, new Error('give exactly one token'), DECODE_HELP);
  let token = positionals[0]!.trim();
  if (/^https?:\/\//i.test(token)) {
    try {
      token = new URL(token).searchParams.get('t') ?? '';
    } catch {
      return userError(err, new Error('that URL cannot be read'));
    }
  }
  try {
    const { codec } = codecFor(values);
    const { payload, mode } = codec.decode(token);
    out.write(`${serializePayload(payload)}\n`);
    if (mode === 'plain')
      err.write('[tracking] note: a plain token is not authenticated; anyone can make one\n');
    if (isExpired(payload, Date.now()))
      err.write('[tracking] note: this token has expired (hits count as expired)\n');
    return 0;
  } catch (e) {
    return userError(err, e);
  }
}
