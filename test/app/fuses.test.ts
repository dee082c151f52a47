// The packaging hook that flips Electron's fuses (scripts/after-pack.mjs), run on a stand-in for the packaged
// binary: random bytes around the fuse wire as Electron lays it out (sentinel, version, length, one byte a fuse).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import afterPack, { electronBinary, FUSES, fuseConfig } from '../../scripts/after-pack.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** A fuse's byte: ASCII '1' on, '0' off (Electron's fuse wire format). */
const FuseState = { ENABLE: 0x31, DISABLE: 0x30 } as const;
/** One fuse more than @electron/fuses knows: a newer Electron's wire, whose extra fuse must stay as it was. */
const WIRE_LENGTH = 9;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A binary with every fuse in Electron's default state (all on but the two that default off). */
function fakeElectron(dir: string, name: string): string {
  const wire = Buffer.alloc(WIRE_LENGTH, FuseState.ENABLE);
  wire[FuseV1Options.EnableCookieEncryption] = FuseState.DISABLE;
  wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation] = FuseState.DISABLE;
  const path = join(dir, name);
  writeFileSync(
    path,
    Buffer.concat([
      randomBytes(4096),
      Buffer.from(SENTINEL),
      Buffer.from([1, WIRE_LENGTH]),
      wire,
      randomBytes(4096),
    ]),
  );
  return path;
}

const linuxContext = (appOutDir: string) => ({
  appOutDir,
  electronPlatformName: 'linux',
  arch: 1,
  packager: { appInfo: { productFilename: 'Mailbeacon' }, executableName: 'mailbeacon' },
});

describe('the fuses flipped at packaging time', () => {
  it('is wired into electron-builder', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.build.afterPack).toBe('./scripts/after-pack.mjs');
  });

  it('turns off running as Node, NODE_OPTIONS and the inspector; turns on cookie encryption and asar integrity', () => {
    expect(FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
    expect(fuseConfig('darwin').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('linux').resetAdHocDarwinSignature).toBe(false);
  });

  it('flips them in the packaged binary, leaving the rest of it and fuses it does not know alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-fuses-'));
    dirs.push(dir);
    const binary = fakeElectron(dir, 'mailbeacon');
    const before = readFileSync(binary);
    await afterPack(linuxContext(dir));

    const wire = await getCurrentFuseWire(binary);
    const state = (name: keyof typeof FuseV1Options) => wire[FuseV1Options[name]];
    expect(state('RunAsNode')).toBe(FuseState.DISABLE);
    expect(state('EnableNodeOptionsEnvironmentVariable')).toBe(FuseState.DISABLE);
    expect(state('EnableNodeCliInspectArguments')).toBe(FuseState.DISABLE);
    expect(state('EnableCookieEncryption')).toBe(FuseState.ENABLE);
    expect(state('EnableEmbeddedAsarIntegrityValidation')).toBe(FuseState.ENABLE);
    expect(state('OnlyLoadAppFromAsar')).toBe(FuseState.ENABLE);
    expect(state('GrantFileProtocolExtraPrivileges')).toBe(FuseState.DISABLE);
    expect((wire as Record<number, number>)[WIRE_LENGTH - 1]).toBe(FuseState.ENABLE);

    const after = readFileSync(binary);
    expect(after.length).toBe(before.length);
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
    const wireStart = before.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(changed.every((i) => i >= wireStart && i < wireStart + WIRE_LENGTH)).toBe(true);
  });

  it('fails the packaging when the binary has no fuse wire, rather than ship it unfused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-fuses-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'mailbeacon'), randomBytes(8192));
    await expect(afterPack(linuxContext(dir))).rejects.toThrow(/sentinel/);
  });

  it('finds the binary on each platform', () => {
    const packager = { appInfo: { productFilename: 'Mailbeacon' }, executableName: 'mailbeacon' };
    expect(electronBinary({ appOutDir: '/out', electronPlatformName: 'linux', packager })).toBe(
      join('/out', 'mailbeacon'),
    );
    expect(electronBinary({ appOutDir: '/out', electronPlatformName: 'win32', packager })).toBe(
      join('/out', 'Mailbeacon.exe'),
    );
    expect(electronBinary({ appOutDir: '/out', electronPlatformName: 'darwin', packager })).toBe(
      join('/out', 'Mailbeacon.app'),
    );
  });
});
