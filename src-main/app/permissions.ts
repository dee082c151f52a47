import type { Session } from 'electron';
import { originOf } from './content-security.js';

/**
 * The one permission the app uses: desktop notifications, asked for by its own page. Camera, microphone,
 * geolocation, clipboard reads, MIDI, HID and the rest are refused to every page, the UI's and any captured mail's.
 */
export function isPermissionGranted(
  permission: string,
  requestingUrl: string,
  appOrigins: string[],
): boolean {
  if (permission !== 'notifications') return false;
  const origin = originOf(requestingUrl);
  return origin !== null && appOrigins.includes(origin);
}

/** Installs the rule for both the asking (`requestPermission`) and the checking (`permissions.query`) paths. */
export function installPermissionPolicy(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
  appOrigins: string[],
): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, appOrigins));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionGranted(permission, requestingOrigin, appOrigins),
  );
}
