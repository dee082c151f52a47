import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * better-sqlite3 compiled for Electron's ABI, built beside (never over) the Node build in node_modules that the CLI
 * and tests load. scripts/build-electron-native.mjs writes it at install time; packaging ships it unpacked from the
 * asar archive, because a native module cannot be loaded from inside one.
 */
export const ELECTRON_BINDING = join('native', 'electron', 'better_sqlite3.node');

export interface BindingLocation {
  /** `app.getAppPath()`: the project root in development, `…/resources/app.asar` when packaged. */
  appPath: string;
  /** `process.resourcesPath`. */
  resourcesPath: string;
  isPackaged: boolean;
  exists?: (path: string) => boolean;
}

/** The Electron build's path, or undefined (with the reason) when it was never built. */
export function electronNativeBinding({
  appPath,
  resourcesPath,
  isPackaged,
  exists = existsSync,
}: BindingLocation): { path?: string; problem?: string } {
  const path = isPackaged
    ? join(resourcesPath, 'app.asar.unpacked', ELECTRON_BINDING)
    : join(appPath, ELECTRON_BINDING);
  if (exists(path)) return { path };
  return {
    problem:
      `[db] no Electron build of better-sqlite3 at ${path}. ` +
      'Run `node scripts/build-electron-native.mjs` (it needs the Electron binary and internet for its headers).',
  };
}
