import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { loadOrCreateHubKeys, HUB_KEYS_FILE } from '../../src-main/hub/keys.js';
import { verifyToken } from '../../src-main/hub/jwt.js';
import { token } from '../../src-main/cli/hub-commands.js';
import { Client, startHub, subscribeUrl, tempDir, type TestHub } from './helpers.js';
import { runCommand } from '../cli/run-command.js';

const none = { hubJwtKey: undefined, hubPublisherKey: undefined, hubSubscriberKey: undefined };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('loadOrCreateHubKeys', () => {
  it('generates random keys once into hub.json (0600) and reads them back', () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const first = loadOrCreateHubKeys(tmp.dir, none);
    expect(first.publisherKey).not.toBe(first.subscriberKey);
    expect(first.publisherKey.length).toBeGreaterThanOrEqual(43);
    const file = join(tmp.dir, HUB_KEYS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
    expect(loadOrCreateHubKeys(tmp.dir, none)).toEqual(first);
  });

  it('lets --hub-jwt-key serve both roles and the specific keys override it', () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    expect(loadOrCreateHubKeys(tmp.dir, { ...none, hubJwtKey: 'shared' })).toEqual({
      publisherKey: 'shared',
      subscriberKey: 'shared',
    });
    expect(existsSync(join(tmp.dir, HUB_KEYS_FILE))).toBe(false);
    expect(loadOrCreateHubKeys(tmp.dir, { ...none, hubJwtKey: 'shared', hubPublisherKey: 'pub' })).toEqual({
      publisherKey: 'pub',
      subscriberKey: 'shared',
    });
    const partly = loadOrCreateHubKeys(tmp.dir, { ...none, hubSubscriberKey: 'sub' });
    expect(partly.subscriberKey).toBe('sub');
    expect(partly.publisherKey).toBe(
      JSON.parse(readFileSync(join(tmp.dir, HUB_KEYS_FILE), 'utf8')).publisherKey,
    );
  });

  it('keeps random keys in memory for :memory:', () => {
    const a = loadOrCreateHubKeys(':memory:', none);
    const b = loadOrCreateHubKeys(':memory:', none);
    expect(a.subscriberKey).not.toBe(b.subscriberKey);
  });
});

describe('mailbeacon token', () => {
  it('prints a subscriber JWT that the hub of the same data dir accepts', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const minted = await runCommand(token, ['--subscribe', '*', '--data-dir', tmp.dir]);
    expect(minted.code).toBe(0);
    const jwt = minted.out.trim();
    const claims = decodeJwt(jwt);
    expect(claims.mercure).toEqual({ subscribe: ['*'] });
    expect(claims.exp! - claims.iat!).toBe(86_400);

    const keys = loadOrCreateHubKeys(tmp.dir, none);
    const h: TestHub = await startHub({ ...keys });
    cleanups.push(() => h.close());
    const c = new Client(subscribeUrl(h.hubUrl, ['anything']), { token: jwt });
    cleanups.push(() => c.close());
    await c.open();
    h.hub.publish({ topics: ['anything'], data: 'private hello', private: true });
    expect((await c.waitFor(() => true)).data).toBe('private hello');
  });

  it('signs publisher tokens with the publisher key and honours --ttl 0', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const minted = await runCommand(token, ['--publish', 'urn:x:{id}', '--ttl', '0', '--data-dir', tmp.dir]);
    expect(minted.code).toBe(0);
    const keys = loadOrCreateHubKeys(tmp.dir, none);
    const verified = await verifyToken(minted.out.trim(), keys.publisherKey, Date.now());
    expect(verified).toEqual({ mercure: { publish: ['urn:x:{id}'] } });
  });

  it('refuses what it cannot honour', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    let errors = '';
    for (const argv of [
      [],
      ['--subscribe', '*', '--ttl', 'soon', '--data-dir', tmp.dir],
      ['--subscribe', '*', '--publish', '*', '--data-dir', tmp.dir],
      ['--subscribe', '*', '--data-dir', ':memory:'],
    ]) {
      const refused = await runCommand(token, argv);
      expect(refused.code, argv.join(' ')).toBe(2);
      errors += refused.err;
    }
    expect(errors).toMatch(/\[hub\]/);
    const both = await runCommand(token, [
      '--subscribe',
      '*',
      '--publish',
      '*',
      '--hub-jwt-key',
      'k',
      '--data-dir',
      tmp.dir,
    ]);
    expect(both.code).toBe(0);
    expect(decodeJwt(both.out.trim()).mercure).toEqual({ subscribe: ['*'], publish: ['*'] });
  });
});
