import { describe, expect, it } from 'vitest';
import { installPermissionPolicy, isPermissionGranted } from '../../src-main/app/permissions.js';
import type { Handler } from './stand-ins.js';

const APP = 'http://127.0.0.1:8025';

describe('permission policy', () => {
  it('grants notifications to the app page only, and nothing else to anyone', () => {
    expect(isPermissionGranted('notifications', `${APP}/#/inbox`, [APP])).toBe(true);
    expect(isPermissionGranted('notifications', APP, [APP])).toBe(true);
    expect(isPermissionGranted('notifications', 'https://evil.test/', [APP])).toBe(false);
    expect(isPermissionGranted('notifications', 'about:srcdoc', [APP])).toBe(false);
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'midiSysex', 'hid', 'openExternal']) {
      expect(isPermissionGranted(permission, APP, [APP]), permission).toBe(false);
    }
  });

  it('installs the rule on both the request and the check handler', () => {
    let request: Handler | undefined;
    let check: Handler | undefined;
    installPermissionPolicy(
      {
        setPermissionRequestHandler: (h: Handler) => (request = h),
        setPermissionCheckHandler: (h: Handler) => (check = h),
      } as never,
      [APP],
    );
    const answers: boolean[] = [];
    request!(null, 'notifications', (granted: boolean) => answers.push(granted), {
      requestingUrl: `${APP}/`,
    });
    request!(null, 'media', (granted: boolean) => answers.push(granted), { requestingUrl: `${APP}/` });
    expect(answers).toEqual([true, false]);
    expect(check!(null, 'notifications', APP, {})).toBe(true);
    expect(check!(null, 'geolocation', APP, {})).toBe(false);
    expect(check!(null, 'notifications', 'https://evil.test', {})).toBe(false);
  });
});
