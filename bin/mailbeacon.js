#!/usr/bin/env node
// Runs the bundle that `npm run build` made (out/main/cli.js) when it is at least as new as the sources beside it;
// otherwise, in a checkout, the TypeScript sources through tsx, so the CLI is never older than the code. The bundle
// starts faster and uses some 40 MB less memory than compiling on the fly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'out', 'main', 'cli.js');
const sources = join(root, 'src-main');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const useSources =
  existsSync(sources) &&
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
