import { loadSettings } from '../config/load.js';
import { createLogger, type LogLine } from '../logger.js';
import { Sandbox } from '../sandbox.js';
import { MailbeaconClient } from '../client/index.js';

export { MailbeaconClient } from '../client/index.js';
export { Sandbox } from '../sandbox.js';

export interface SandboxStartOptions {
  /** Settings as `serve` takes them, in camelCase (`{ tokenMode: 'signed', relay: 'smtp://…' }`). */
  flags?: Record<string, unknown>;
  /** Keeps mail in this folder instead of in memory. */
  dataDir?: string;
  /** Receives the sandbox's log lines (default: warnings and errors go to stderr). */
  log?: (line: LogLine) => void;
}

export interface RunningSandbox {
  /** The composition root itself, for what the API does not offer. */
  sandbox: Sandbox;
  /** Where the app under test sends its mail. */
  smtp: { host: string; port: number };
  /** The implicit TLS listener (`flags: { smtps: '127.0.0.1:0' }`), for apps sending with `secure: true`. */
  smtps?: { host: string; port: number };
  /** The UI + API + hub listener, `http://127.0.0.1:PORT`. */
  http: string;
  /** The tracking listener, `http://127.0.0.1:PORT`. */
  tracking: string;
  /** The public base of tracking links (the tracking listener unless `trackingUrl` was set). */
  trackingUrl: string;
  /** A client of this sandbox's API. */
  client: MailbeaconClient;
  /** Stops every listener and frees the store; idempotent. */
  stop(): Promise<void>;
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(/:(?=\d+$)/);
  return { host: host!.replace(/^\[|\]$/g, ''), port: Number(port) };
}

/**
 * Starts the same Sandbox that `mailbeacon serve` runs, inside this process: in memory and on free loopback ports
 * unless told otherwise. Each call is independent: two sandboxes share no state.
 */
export async function startSandbox(options: SandboxStartOptions = {}): Promise<RunningSandbox> {
  const settings = loadSettings(
    {
      smtp: '127.0.0.1:0',
      http: '127.0.0.1:0',
      tracking: '127.0.0.1:0',
      dataDir: options.dataDir ?? ':memory:',
      // A test's few mails do not need worker threads, and the library build has no worker bundles to start.
      ingestThreads: 0,
      trackingThread: false,
      ...options.flags,
    },
    {},
  );
  const logger = options.log ? createLogger('info', options.log) : createLogger('warn');
  const sandbox = new Sandbox(settings, { logger });
  const addresses = await sandbox.start();
  return {
    sandbox,
    smtp: hostPort(addresses.smtp),
    ...(addresses.smtps && { smtps: hostPort(addresses.smtps) }),
    http: addresses.http,
    tracking: addresses.tracking,
    trackingUrl: addresses.trackingUrl,
    client: new MailbeaconClient({ url: addresses.http, auth: settings.uiAuth }),
    stop: () => sandbox.stop(),
  };
}
