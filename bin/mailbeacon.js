#!/usr/bin/env node
// In a checkout, runs the TypeScript sources through tsx, so the CLI is never older than the code beside it;
// in an installed package without sources, runs the bundle that `npm run build` made (out/main/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src-main/cli/index.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../out/main/cli.js', import.meta.url).href);
}
