import type { Dialog } from 'electron';
import type { Settings } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { isPortConflict, resolvePortConflict, type Listeners } from './ports.js';

/** What the desktop app needs from a Sandbox to start it. */
export interface Startable<Addresses> {
  start(): Promise<Addresses>;
}

/**
 * How many times a port conflict may be answered with new ports before giving up. Each answer picks ports that
 * were free a moment ago; a second conflict means something is racing for them, a third that it always will.
 */
export const MAX_PORT_ATTEMPTS = 3;

type AddressesOf<S> = S extends Startable<infer A> ? A : never;

export interface StartOptions<S extends Startable<unknown>> {
  settings: Settings;
  create(settings: Settings): S;
  dialog: Pick<Dialog, 'showMessageBox'>;
  /** Called with the ports the user accepted, to use them again next time. */
  remember(listeners: Listeners): void;
  logger: Logger;
}

/**
 * Starts a sandbox; when a port is taken, asks the user whether to use free ports instead and starts a new
 * sandbox with them. Resolves to null when the user chose to quit. Other errors reject unchanged.
 */
export async function startWithPortRecovery<S extends Startable<unknown>>(
  options: StartOptions<S>,
): Promise<{ sandbox: S; addresses: AddressesOf<S>; settings: Settings } | null> {
  let settings = options.settings;
  for (let attempt = 1; ; attempt++) {
    const sandbox = options.create(settings);
    try {
      return { sandbox, addresses: (await sandbox.start()) as AddressesOf<S>, settings };
    } catch (err) {
      if (!isPortConflict(err) || attempt >= MAX_PORT_ATTEMPTS) throw err;
      options.logger.warn(`${err.listener} address ${err.address} is in use`);
      const current: Listeners = { smtp: settings.smtp, http: settings.http, tracking: settings.tracking };
      const chosen = await resolvePortConflict(options.dialog, err, current);
      if (!chosen) return null;
      options.remember(chosen);
      settings = { ...settings, ...chosen };
    }
  }
}
