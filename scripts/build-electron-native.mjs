#!/usr/bin/env node
// Builds better-sqlite3 a second time, for Electron's ABI, into native/electron/better_sqlite3.node.
//
// Node (tests, `mailbeacon serve`) and Electron (the desktop app) need the same native module compiled for two
// different ABIs. Rebuilding node_modules/better-sqlite3 in place for Electron would break Node, so the Electron
// build happens in a copy of the package and only its .node file is kept; the desktop app hands that path to
// better-sqlite3 as `nativeBinding`. Runs as `postinstall`, where it must never fail the install: without the
// Electron binary (ELECTRON_SKIP_BINARY_DOWNLOAD=1, CI, or an install of the published CLI) it says so in one line
// and stops. `--strict` (used by `npm run dist`) builds regardless and fails loudly.
//
// Options: --strict, --force (rebuild even if up to date), --electron-dir DIR, --out-dir DIR.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const HEADERS_URL = 'https://electronjs.org/headers';
const TAG = '[native]';

const { values: options } = parseArgs({
  options: {
    strict: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    'electron-dir': { type: 'string' },
    'out-dir': { type: 'string', default: join(ROOT, 'native', 'electron') },
  },
});

/** A package's bin script, found through its package.json (packages' `exports` often hide bin/ from resolve). */
const binOf = (pkg, bin) => join(dirname(require.resolve(`${pkg}/package.json`)), bin);

/** The electron package's directory, or null when it is not installed (it is a devDependency). */
function electronPackageDir() {
  if (options['electron-dir'])
    return existsSync(join(options['electron-dir'], 'package.json')) ? options['electron-dir'] : null;
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * Whether Electron's binary was downloaded, decided the way the electron package itself decides (path.txt names the
 * executable under dist/). Requiring 'electron' is not an option: when the binary is missing it starts a download.
 */
function electronBinaryPresent(dir) {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  const executable = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
  return existsSync(join(distDir, executable));
}

function run(command, args, cwd) {
  const result = spawnSync(process.execPath, [command, ...args], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return result.status === 0;
}

/** Ends the script: quietly successful for an install, failing only under --strict. */
function stop(message, failed) {
  console.log(`${TAG} ${message}`);
  process.exit(failed && options.strict ? 1 : 0);
}

function main() {
  const electronDir = electronPackageDir();
  if (!electronDir) {
    stop(
      'Electron is not installed, so there is nothing to build better-sqlite3 for (the CLI and tests use the Node build).',
      true,
    );
  }
  if (!options.strict && !electronBinaryPresent(electronDir)) {
    stop(
      "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?); skipping the Electron build of better-sqlite3. " +
        'The CLI and tests do not need it; for the desktop app run `node node_modules/electron/install.js` and then `node scripts/build-electron-native.mjs`.',
      false,
    );
  }

  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
  const outDir = resolve(options['out-dir']);
  const binding = join(outDir, 'better_sqlite3.node');
  const stampFile = join(outDir, 'build-info.json');
  const stamp = {
    electron: electronVersion,
    betterSqlite3: sqliteVersion,
    platform: process.platform,
    arch: process.arch,
  };

  if (!options.force && existsSync(binding) && existsSync(stampFile)) {
    const previous = readFileSync(stampFile, 'utf8');
    if (previous === JSON.stringify(stamp, null, 2))
      stop(`${relative(ROOT, binding)} is up to date (Electron ${electronVersion}).`, false);
  }

  // A private copy of the package, so its build/ directory (the one Node loads) is never touched.
  const workDir = join(dirname(outDir), '.build', `better-sqlite3-electron-${electronVersion}`);
  rmSync(workDir, { recursive: true, force: true });
  cpSync(sqliteDir, workDir, {
    recursive: true,
    filter: (source) => !/[\\/](build|node_modules)$/.test(source.slice(sqliteDir.length)),
  });

  console.log(
    `${TAG} building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.platform}-${process.arch})…`,
  );
  const target = [`--runtime=electron`, `--target=${electronVersion}`, `--arch=${process.arch}`];
  // A prebuilt binary for this Electron is the quick way; compiling against Electron's headers is the sure one.
  const built =
    run(binOf('prebuild-install', 'bin.js'), [...target, '--verbose'], workDir) ||
    run(
      binOf('node-gyp', 'bin/node-gyp.js'),
      ['rebuild', '--release', ...target, `--dist-url=${HEADERS_URL}`],
      workDir,
    );
  const output = join(workDir, 'build', 'Release', 'better_sqlite3.node');
  if (!built || !existsSync(output)) {
    rmSync(workDir, { recursive: true, force: true });
    stop(
      'could not build better-sqlite3 for Electron (no prebuilt binary, and compiling needs a C++ toolchain and ' +
        `Electron's headers from ${HEADERS_URL}). The CLI and tests are unaffected; retry with \`node scripts/build-electron-native.mjs\`.`,
      true,
    );
  }

  mkdirSync(outDir, { recursive: true });
  copyFileSync(output, binding);
  writeFileSync(stampFile, JSON.stringify(stamp, null, 2));
  rmSync(workDir, { recursive: true, force: true });
  stop(`wrote ${relative(ROOT, binding)} for Electron ${electronVersion}.`, false);
}

try {
  main();
} catch (err) {
  stop(
    `building better-sqlite3 for Electron failed: ${err instanceof Error ? err.message : String(err)}`,
    true,
  );
}
