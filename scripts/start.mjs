#!/usr/bin/env node
// `npm start`: runs the desktop app (electron-vite preview) when Electron's binary is installed, and otherwise says
// so, how to get it, and that `mailbeacon serve` gives the same app in a browser, instead of Electron's own
// stack trace (or, worse, a download attempt from `require('electron')`).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));

/** The executable's path when it is installed, decided as the electron package does it (path.txt under dist/). */
export function electronExecutable(electronDir, env = process.env) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(
    env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist'),
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(executable) ? executable : null;
}

export const MISSING_ELECTRON = `Mailbeacon: Electron's binary is missing, so the desktop app cannot start.
It was probably installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1. To get it, either run
    node node_modules/electron/install.js
or reinstall without ELECTRON_SKIP_BINARY_DOWNLOAD (npm install), then run \`npm start\` again.

The same app runs in a browser without Electron:
    npx mailbeacon serve          (then open http://127.0.0.1:8025)`;

/** A package's bin script, found through its package.json (packages' `exports` often hide bin/ from resolve). */
const binOf = (pkg, bin) => join(dirname(require.resolve(`${pkg}/package.json`)), bin);

function main() {
  let electronDir;
  try {
    electronDir = dirname(require.resolve('electron/package.json'));
  } catch {
    electronDir = null;
  }
  if (!electronDir || !electronExecutable(electronDir)) {
    console.error(MISSING_ELECTRON);
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    [binOf('electron-vite', 'bin/electron-vite.js'), 'preview', ...process.argv.slice(2)],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
