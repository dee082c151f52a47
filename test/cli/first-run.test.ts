// A fresh clone has no out/: `npm install` then `npx mailbeacon serve` must still serve the UI, so the first `serve`
// builds it. This runs bin/mailbeacon.js in a copy of the tracked files without out/, node_modules linked in.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** A cold build of the three targets plus a cold tsx start, on a loaded machine. */
const START_TIMEOUT_MS = 150_000;

const temp = mkdtempSync(join(tmpdir(), 'mailbeacon-first-run-'));
const clone = join(temp, 'clone');
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(temp, { recursive: true, force: true });
});

function copyCheckout(): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith('out/') && existsSync(join(ROOT, f)));
  for (const file of files) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(ROOT, file), join(clone, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
}

describe('first run', () => {
  it(
    'serves the UI from a checkout that was never built',
    async () => {
      copyCheckout();
      expect(existsSync(join(clone, 'out'))).toBe(false);
      child = spawn(
        process.execPath,
        [
          'bin/mailbeacon.js',
          'serve',
          '--json',
          '--data-dir',
          join(temp, 'data'),
          '--smtp',
          '127.0.0.1:0',
          '--http',
          '127.0.0.1:0',
          '--tracking',
          '127.0.0.1:0',
        ],
        { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      const line = await new Promise<string>((resolveLine, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no JSON line from serve\n${output}`)),
          START_TIMEOUT_MS,
        );
        child!.stdout!.on('data', (d: Buffer) => {
          output += d.toString();
          const json = output.split('\n').find((l) => l.trim().startsWith('{'));
          if (json) {
            clearTimeout(timer);
            resolveLine(json);
          }
        });
        child!.stderr!.on('data', (d: Buffer) => (output += d.toString()));
        child!.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`serve exited with ${code}\n${output}`));
        });
      });
      const { http } = JSON.parse(line) as { http: string };
      const base = /^https?:\/\//.test(http) ? http.replace(/\/$/, '') : `http://${http}`;

      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toMatch(/^\.?\/assets\//);
      const asset = await fetch(new URL(script!, `${base}/`));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect(existsSync(join(clone, 'out', 'renderer', 'index.html'))).toBe(true);
      expect(existsSync(join(clone, 'out', '.ui-build.lock'))).toBe(false);
    },
    START_TIMEOUT_MS + 30_000,
  );
});
