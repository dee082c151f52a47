#!/usr/bin/env node
// The package as a project installs it: packs it (prepack builds out/, prepare builds lib/), installs the tarball
// into a new project with its dependencies from the registry, compiles a consumer under strict TypeScript with
// skipLibCheck off against the installed declarations, starts the installed library and `npx mailbeacon serve`, and
// checks that GET / is the UI. Prints the tarball's and node_modules' sizes; fails when a target is missed.
//
// Options: --keep (leave the temporary project for a look).

import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const MB = 1_000_000;
const TARGETS = { tarball: 1.5 * MB, nodeModules: 100 * MB };
/** A cold start of the installed CLI on a loaded machine. */
const SERVE_TIMEOUT_MS = 60_000;

const { values: options } = parseArgs({ options: { keep: { type: 'boolean', default: false } } });
const started = Date.now();
const temp = mkdtempSync(join(tmpdir(), 'mailbeacon-package-'));
const project = join(temp, 'project');
const env = {
  ...process.env,
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let lap = Date.now();
/** Prints a line with the seconds since the previous one. */
const say = (line) => {
  process.stdout.write(`[package] ${line} (+${((Date.now() - lap) / 1000).toFixed(0)} s)\n`);
  lap = Date.now();
};

/** Disk usage of a tree as `du` counts it (allocated blocks), each file once. */
function diskUsage(path) {
  const stat = lstatSync(path);
  let bytes = stat.blocks * 512;
  if (stat.isDirectory()) for (const entry of readdirSync(path)) bytes += diskUsage(join(path, entry));
  return bytes;
}

const mb = (bytes) => `${(bytes / MB).toFixed(2)} MB`;

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Starts `npx mailbeacon serve` in the project and resolves with its HTTP address (from `--json`). */
function startServe(dataDir) {
  const child = spawn(
    npm,
    [
      'exec',
      '--',
      'mailbeacon',
      'serve',
      '--json',
      '--data-dir',
      dataDir,
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--tracking',
      '127.0.0.1:0',
    ],
    { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const address = new Promise((resolveAddress, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve printed no address\n${output}`)),
      SERVE_TIMEOUT_MS,
    );
    child.stdout.on('data', (d) => {
      output += d;
      const line = output.split('\n').find((l) => l.trim().startsWith('{'));
      if (line) {
        clearTimeout(timer);
        const { http } = JSON.parse(line);
        resolveAddress(/^https?:/.test(http) ? http.replace(/\/$/, '') : `http://${http}`);
      }
    });
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}\n${output}`));
    });
  });
  // npm exec does not pass SIGTERM on; its process group does.
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  return { address, stop, output: () => output };
}

const failures = [];
let serve;
try {
  // 1. The tarball, built by the package's own prepack/prepare.
  say('npm pack (builds out/ and lib/)…');
  // The build scripts may write to stdout too: the JSON is the last thing npm prints.
  const packOutput = run(npm, ['pack', '--json', '--pack-destination', temp], ROOT);
  const packed = JSON.parse(packOutput.slice(packOutput.lastIndexOf('\n[\n') + 1));
  const tarball = join(temp, packed[0].filename);
  const tarballBytes = statSync(tarball).size;
  const files = packed[0].files.map((f) => f.path);
  const unwanted = files.filter((f) =>
    /^(src-main|src-renderer|test|bench|docs|resources|examples)\//.test(f),
  );
  if (unwanted.length)
    failures.push(`the tarball carries sources or tests: ${unwanted.slice(0, 5).join(', ')}…`);
  for (const needed of ['out/renderer/index.html', 'out/main/cli.js', 'lib/src-main/testing/index.d.ts'])
    if (!files.includes(needed)) failures.push(`the tarball lacks ${needed}`);

  // 2. A new project that installs it. Install scripts are skipped, and the ones a user's install would run are run
  // below: prebuild-install cannot reach GitHub from CI, so the same better-sqlite3 binary the checkout uses stands
  // in for its download (a compile from source would leave megabytes of objects no user has).
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  say(`npm install ${packed[0].filename} into a new project…`);
  run(
    npm,
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'error', tarball],
    project,
  );
  const installed = join(project, 'node_modules');
  const sqliteVersion = (dir) =>
    JSON.parse(readFileSync(join(dir, 'better-sqlite3', 'package.json'), 'utf8')).version;
  const binary = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (
    sqliteVersion(installed) === sqliteVersion(join(ROOT, 'node_modules')) &&
    existsSync(join(ROOT, 'node_modules', binary))
  ) {
    mkdirSync(join(installed, 'better-sqlite3', 'build', 'Release'), { recursive: true });
    copyFileSync(join(ROOT, 'node_modules', binary), join(installed, binary));
  } else {
    run(npm, ['rebuild', 'better-sqlite3'], project);
  }
  run(process.execPath, ['scripts/build-electron-native.mjs'], join(installed, 'mailbeacon'));
  const nodeModulesBytes = diskUsage(installed);
  say('installed');

  // 3. A strict consumer, skipLibCheck off, against the installed declarations (TypeScript and Node's types are
  // the checkout's, linked in after the size was taken).
  cpSync(join(ROOT, 'test', 'testing', 'fixtures', 'consumer'), project, { recursive: true });
  mkdirSync(join(installed, '@types'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(installed, '@types', 'node'), 'dir');
  let typesOk = true;
  try {
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);
  } catch (err) {
    typesOk = false;
    failures.push(`the consumer does not compile against the installed types:\n${err.stdout}`);
  }
  say('typechecked');

  // 4. The installed library starts a sandbox in a project's process, with the published UI.
  // Without caniemail and the MCP SDK (the CLI's bundles carry them) its HTML check and /mcp say what to install.
  const library = `import nodemailer from 'nodemailer';
import { startSandbox } from 'mailbeacon/testing';
const mb = await startSandbox();
try {
  const transport = nodemailer.createTransport({ ...mb.smtp, ignoreTLS: true });
  await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'Hi', html: '<p>Hi</p>' });
  const { ID } = await mb.client.waitForMail({ to: 'b@example.com' });
  const page = await (await fetch(mb.http + '/')).text();
  if (!page.includes('<script type="module"')) throw new Error('the library serves no UI: ' + page);
  for (const [path, init, wanted] of [
    ['/api/v1/message/' + ID + '/html-check', {}, 'npm install caniemail'],
    ['/mcp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 'npm install @modelcontextprotocol/sdk'],
  ]) {
    const res = await fetch(mb.http + path, init);
    const body = await res.text();
    if (res.status !== 501 || !body.includes(wanted)) throw new Error(path + ': ' + res.status + ' ' + body);
  }
} finally {
  await mb.stop();
}`;
  writeFileSync(join(project, 'library.mjs'), library);
  let libraryOk = true;
  try {
    execFileSync(process.execPath, ['library.mjs'], { cwd: project, env, stdio: 'inherit' });
  } catch {
    libraryOk = false;
    failures.push('the installed mailbeacon/testing failed (see above)');
  }

  say('library run');

  // 5. `npx mailbeacon serve` serves the built UI.
  serve = startServe(join(temp, 'data'));
  const http = await serve.address;
  const page = await (await fetch(`${http}/`)).text();
  const uiOk = page.includes('<script type="module"');
  if (!uiOk) failures.push(`GET / is not the UI:\n${page.slice(0, 300)}`);
  if (/tsx|electron-vite|building the UI/.test(serve.output()))
    failures.push(`serve ran sources or build tools:\n${serve.output()}`);

  if (tarballBytes > TARGETS.tarball) failures.push(`the tarball is larger than ${mb(TARGETS.tarball)}`);
  if (nodeModulesBytes > TARGETS.nodeModules)
    failures.push(`the project's node_modules is larger than ${mb(TARGETS.nodeModules)}`);

  say(`tarball: ${mb(tarballBytes)} (${files.length} files; target ≤ ${mb(TARGETS.tarball)})`);
  say(`the installing project's node_modules: ${mb(nodeModulesBytes)} (target ≤ ${mb(TARGETS.nodeModules)})`);
  say(`strict consumer, skipLibCheck off: ${typesOk ? 'compiles' : 'FAILS'}`);
  say(
    `startSandbox() from the installed library: ${libraryOk ? 'runs, serves the UI; its HTML check and /mcp name the package to add' : 'FAILS'}`,
  );
  say(`npx mailbeacon serve: ${uiOk ? `UI served at ${http}/` : 'UI NOT served'}`);
} catch (err) {
  failures.push(err.stack ?? String(err));
} finally {
  serve?.stop();
  if (options.keep) say(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
}
say(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failures.length) {
  for (const failure of failures) process.stderr.write(`[package] FAIL: ${failure}\n`);
  process.exit(1);
}
