#!/usr/bin/env node
// Runs the built CLI when there is one (out/main/cli.js, made by `npm run build`), else the TypeScript sources via tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (existsSync(built) && !process.env.MAILBEACON_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src-main/cli/index.ts', import.meta.url).href);
}
