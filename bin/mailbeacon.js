#!/usr/bin/env node
// The published package carries only the build (out/) and runs it as it is: no sources, no build tools.
// In a checkout (src-main/ is there), it runs the bundle that `npm run build` made (out/main/cli.js) when it is at
// least as new as the sources beside it; otherwise the TypeScript sources through tsx, so the CLI is never older
// than the code. The bundle starts faster and uses some 40 MB less memory than compiling on the fly.
// Before `serve`, a checkout whose UI bundle (out/renderer) is missing or older than src-renderer/ is built first,
// so `npm install` then `npx mailbeacon serve` gives the UI without a separate `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'out', 'main', 'cli.js');
const sources = join(root, 'src-main');
const rendererSources = join(root, 'src-renderer');
const rendererIndex = join(root, 'out', 'renderer', 'index.html');
/** Several `serve` processes may start at once (test suites); one builds, the others wait for it. */
const buildLock = join(root, 'out', '.ui-build.lock');
/** A build takes seconds; a lock older than this was left by a process that died. */
const STALE_LOCK_MS = 120_000;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const uiStale = () =>
  !existsSync(rendererIndex) || statSync(rendererIndex).mtimeMs < newestSource(rendererSources);

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Builds out/ with electron-vite; says why on stderr (stdout may carry `serve --json`). Never throws. */
function buildUi() {
  let cli;
  try {
    const require = createRequire(join(root, 'package.json'));
    cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  } catch {
    process.stderr.write(
      'mailbeacon: the UI is not built and electron-vite is not installed (npm install).\n',
    );
    return;
  }
  mkdirSync(join(root, 'out'), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(buildLock);
      break;
    } catch {
      if (waited === 0) process.stderr.write('mailbeacon: waiting for another process to build the UI…\n');
      let age = 0;
      try {
        age = Date.now() - statSync(buildLock).mtimeMs;
      } catch {
        continue;
      }
      if (age > STALE_LOCK_MS) rmSync(buildLock, { recursive: true, force: true });
      else sleep(250);
      if (waited > STALE_LOCK_MS * 2) return;
    }
  }
  try {
    if (!uiStale()) return; // another process built it while this one waited
    process.stderr.write('mailbeacon: building the UI (out/renderer), a few seconds the first time…\n');
    const result = spawnSync(process.execPath, [cli, 'build', '--logLevel', 'warn'], {
      cwd: root,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (result.status !== 0)
      process.stderr.write('mailbeacon: the UI build failed (see above); the API works meanwhile.\n');
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

const checkout = existsSync(sources);

if (!checkout && !existsSync(bundle)) {
  process.stderr.write(
    `mailbeacon: ${bundle} is missing; this installation is incomplete (reinstall mailbeacon).\n`,
  );
  process.exit(1);
}

if (
  checkout &&
  process.argv[2] === 'serve' &&
  !process.argv.includes('--help') &&
  existsSync(rendererSources) &&
  uiStale()
)
  buildUi();

const useSources =
  checkout &&
  (process.env.MAILBEACON_FROM_SOURCE ||
    !existsSync(bundle) ||
    statSync(bundle).mtimeMs < newestSource(sources));
if (useSources) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src-main/cli/index.ts', import.meta.url).href);
} else {
  await import(new URL('../out/main/cli.js', import.meta.url).href);
}
