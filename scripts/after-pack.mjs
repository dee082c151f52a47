// electron-builder's afterPack hook (package.json "build.afterPack"): flips the packaged Electron binary's fuses,
// the switches compiled into it that no code or environment variable can turn back at run time.
//
// - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node.js that runs any script.
// - NODE_OPTIONS and --inspect/--inspect-brk off: nothing can preload code or attach a debugger from outside.
// - Cookie encryption on: the session's cookies are encrypted with the OS keychain's key.
// - ASAR integrity on, app only from the asar: the code run is the code packaged (macOS and Windows check the
//   archive's hash that electron-builder records; elsewhere the fuse is inert).
// - No browser-process V8 snapshot and no extra file:// privileges: the app uses neither.

import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** The fuses, by name, as every packaged Mailbeacon has them. */
export const FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableCookieEncryption: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};

/** The config `flipFuses` takes. On macOS the binary changed, so its ad-hoc signature is renewed (arm64 needs one). */
export function fuseConfig(platform) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: platform === 'darwin' };
  for (const [name, on] of Object.entries(FUSES)) config[FuseV1Options[name]] = on;
  return config;
}

/** Where the packaged Electron binary is: the .app bundle on macOS, the .exe on Windows, the executable on Linux. */
export function electronBinary({ appOutDir, electronPlatformName, packager }) {
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas')
    return join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${name}.exe`);
  return join(appOutDir, packager.executableName ?? name);
}

export default async function afterPack(context) {
  const binary = electronBinary(context);
  await flipFuses(binary, fuseConfig(context.electronPlatformName));
  console.log(`[fuses] flipped in ${binary}`);
}
