import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mb-scripts-'));
  dirs.push(dir);
  return dir;
}

function node(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An electron package as `ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install` leaves it: no path.txt, no dist/. */
function electronWithoutBinary(): string {
  const dir = join(tempDir(), 'electron');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }));
  return dir;
}

describe('postinstall: build-electron-native', () => {
  it("skips in one line, successfully and without writing anything, when Electron's binary is absent", () => {
    const out = join(tempDir(), 'native', 'electron');
    const { status, stdout, stderr } = node('build-electron-native.mjs', [
      '--electron-dir',
      electronWithoutBinary(),
      '--out-dir',
      out,
    ]);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/^\[native\] Electron's binary is not installed .*skipping/);
    expect(stdout).toContain('node node_modules/electron/install.js');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(out, '..'))).toBe(false);
  });

  it('skips when Electron is not installed at all (an install of the published CLI)', () => {
    const { status, stdout } = node('build-electron-native.mjs', [
      '--electron-dir',
      join(tempDir(), 'nowhere'),
    ]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\[native\] Electron is not installed/);
  });

  it('fails under --strict when there is nothing to build for', () => {
    const { status, stdout } = node('build-electron-native.mjs', [
      '--strict',
      '--electron-dir',
      join(tempDir(), 'nowhere'),
    ]);
    expect(status).toBe(1);
    expect(stdout).toMatch(/^\[native\] Electron is not installed/);
  });

  it("never touches Node's own build of better-sqlite3", async () => {
    node('build-electron-native.mjs', [
      '--electron-dir',
      electronWithoutBinary(),
      '--out-dir',
      join(tempDir(), 'out'),
    ]);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    db.close();
  });
});

describe('npm start without the Electron binary', () => {
  it('exits with a message saying what is missing, how to get it, and the browser alternative', () => {
    // Pointing Electron's own override at an empty directory makes the binary missing wherever the test runs.
    const { status, stdout, stderr } = node('start.mjs', [], { ELECTRON_OVERRIDE_DIST_PATH: tempDir() });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("Electron's binary is missing");
    expect(stderr).toContain('node node_modules/electron/install.js');
    expect(stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(stderr).toContain('npx mailbeacon serve');
  });
});
