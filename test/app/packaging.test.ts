import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ELECTRON_BINDING } from '../../src-main/app/native-binding.js';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const build = pkg.build;
const require = createRequire(join(ROOT, 'package.json'));

describe('electron-builder configuration', () => {
  it("passes electron-builder's own schema", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(build, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds AppImage and deb, dmg, and an NSIS installer', () => {
    expect(build.productName).toBe('Mailbeacon');
    expect(build.linux.target).toEqual(['AppImage', 'deb']);
    expect(build.mac.target).toEqual(['dmg']);
    expect(build.win.target).toEqual(['nsis']);
  });

  it('ships the Electron build of better-sqlite3 outside the asar archive, and leaves the Node build alone', () => {
    expect(build.files).toContain('native/electron/**');
    expect(build.asarUnpack).toContain('native/electron/*.node');
    expect(ELECTRON_BINDING.split(/[\\/]/).join('/')).toBe('native/electron/better_sqlite3.node');
    expect(build.npmRebuild).toBe(false);
  });

  it('points at icons that exist, in every size Linux asks for', () => {
    for (const file of [
      build.mac.icon,
      build.win.icon,
      'resources/icon.png',
      'resources/tray/tray.png',
      'resources/tray/trayTemplate.png',
      'resources/tray/trayTemplate@2x.png',
    ]) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(existsSync(join(ROOT, build.linux.icon, `${size}x${size}.png`)), `${size}px`).toBe(true);
    }
  });

  it('uses the same app id the main process gives Windows notifications', () => {
    expect(readFileSync(join(ROOT, 'src-main/app/index.ts'), 'utf8')).toContain(
      `const APP_ID = '${build.appId}'`,
    );
  });

  it('wires the scripts: start through the Electron check, postinstall and dist through the native build', () => {
    expect(pkg.scripts.start).toBe('node scripts/start.mjs');
    expect(pkg.scripts.postinstall).toBe('node scripts/build-electron-native.mjs');
    expect(pkg.scripts.dist).toBe(
      'electron-vite build && node scripts/build-electron-native.mjs --strict && electron-builder',
    );
  });
});
