import { parseArgs } from 'node:util';
import { ConfigError, loadSettings } from '../config/load.js';
import { loadOrCreateHubKeys } from '../hub/keys.js';
import { mintToken, type MercureClaims } from '../hub/jwt.js';

/** Default lifetime of a minted token: long enough for a test run or a working day, short enough to not linger. */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export const TOKEN_HELP = `Usage: mailbeacon token --subscribe SEL [--subscribe SEL …] [--publish SEL …] [--ttl S] [--data-dir D]

Prints a JWT for the live-updates hub (/.well-known/mercure), signed with the data dir's hub key
(or --hub-jwt-key / --hub-subscriber-key / --hub-publisher-key, as for serve).

  --subscribe SEL   topic selector the token may receive private updates for ('*' for all)
  --publish SEL     topic selector the token may publish to
  --ttl S           lifetime in seconds (default ${DEFAULT_TOKEN_TTL_SECONDS}; 0 = never expires)
  --data-dir D      data directory of the sandbox whose hub will check the token`;

interface Writable {
  write(chunk: string): unknown;
}

/** `mailbeacon token`: prints a hub JWT for a test suite or curl. Returns the exit code. */
export async function token(
  argv: string[],
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        subscribe: { type: 'string', multiple: true },
        publish: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        'data-dir': { type: 'string' },
        'hub-jwt-key': { type: 'string' },
        'hub-publisher-key': { type: 'string' },
        'hub-subscriber-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err.write(`[hub] ${(e as Error).message}\n\n${TOKEN_HELP}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${TOKEN_HELP}\n`);
    return 0;
  }
  const subscribe = values.subscribe ?? [];
  const publish = values.publish ?? [];
  if (subscribe.length === 0 && publish.length === 0) {
    err.write(`[hub] give at least one --subscribe or --publish selector\n\n${TOKEN_HELP}\n`);
    return 2;
  }
  const ttl = values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : Number(values.ttl);
  if (!Number.isSafeInteger(ttl) || ttl < 0) {
    err.write('[hub] --ttl must be a whole number of seconds (0 = never expires)\n');
    return 2;
  }

  const flags: Record<string, unknown> = {};
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values['hub-jwt-key'] !== undefined) flags.hubJwtKey = values['hub-jwt-key'];
  if (values['hub-publisher-key'] !== undefined) flags.hubPublisherKey = values['hub-publisher-key'];
  if (values['hub-subscriber-key'] !== undefined) flags.hubSubscriberKey = values['hub-subscriber-key'];
  let keys;
  try {
    const settings = loadSettings(flags);
    if (settings.dataDir === ':memory:' && !settings.hubJwtKey) {
      err.write(
        '[hub] with --data-dir :memory: the hub keys are random per run; give --hub-jwt-key to both commands\n',
      );
      return 2;
    }
    keys = loadOrCreateHubKeys(settings.dataDir, settings);
  } catch (e) {
    err.write(`${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 2;
  }

  // One token can carry both claims only if both roles share a key; otherwise the hub could not check it.
  if (subscribe.length > 0 && publish.length > 0 && keys.publisherKey !== keys.subscriberKey) {
    err.write(
      '[hub] the publisher and subscriber keys differ: mint one token with --subscribe and one with --publish\n',
    );
    return 2;
  }
  const claims: MercureClaims = {};
  if (subscribe.length > 0) claims.subscribe = subscribe;
  if (publish.length > 0) claims.publish = publish;
  const key = publish.length > 0 ? keys.publisherKey : keys.subscriberKey;
  out.write(`${await mintToken(key, claims, ttl)}\n`);
  return 0;
}
