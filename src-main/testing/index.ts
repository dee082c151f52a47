import { loadSettings } from '../config/load.js';
import { createLogger, type LogLine } from '../logger.js';
import { Sandbox } from '../sandbox.js';
import { MailbeaconClient } from '../client/index.js';

export { MailbeaconClient } from '../client/index.js';

/**
 * What a test gets of the composition root besides the API. Written out here, not `Sandbox` itself, so that the
 * declarations a project compiles against name no store, database or HTTP framework types.
 */
export interface SandboxHandle {
  readonly addresses: {
    /** host:port */
    smtp: string;
    http: string;
    tracking: string;
    trackingUrl: string;
    /** host:port of the POP3 listener, when enabled (`flags: { pop3: '127.0.0.1:0' }`). */
    pop3?: string;
  };
  /** Whether SMTP answers new mail with 451 (the UI's pause). */
  readonly capturePaused: boolean;
  setCapturePaused(paused: boolean): void;
  unreadCount(): Promise<number>;
  stop(): Promise<void>;
}

export interface SandboxStartOptions {
  /** Settings as `serve` takes them, in camelCase (`{ tokenMode: 'signed', relay: 'smtp://…' }`). */
  flags?: Record<string, unknown>;
  /** Keeps mail in this folder instead of in memory. */
  dataDir?: string;
  /** Receives the sandbox's log lines (default: warnings and errors go to stderr). */
  log?: (line: LogLine) => void;
}

export interface RunningSandbox {
  /** The composition root, for what the API does not offer. */
  sandbox: SandboxHandle;
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
  /**
   * An inbox of this sandbox (created if need be): SMTP settings whose user name puts mail in it, and a client that
   * sees its mail only. Test files that each take their own inbox share one sandbox without seeing each other's
   * mail. A closed inbox (`--inbox-auth`) needs its credentials.
   */
  inbox(name: string, credentials?: { user: string; pass: string }): Promise<InboxHandle>;
  /** Stops every listener and frees the store; idempotent. */
  stop(): Promise<void>;
}

/** One inbox of a running sandbox (see `RunningSandbox.inbox`). */
export interface InboxHandle {
  name: string;
  /** Where the app under test sends its mail, with the SMTP AUTH login that puts it in this inbox. */
  smtp: { host: string; port: number; auth: { user: string; pass: string } };
  /** A client of this inbox's API (`/inbox/NAME`): lists, searches and waits on this inbox's mail only. */
  client: MailbeaconClient;
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
    inbox: async (name, credentials) => {
      const auth = credentials ?? settings.uiAuth;
      const client = new MailbeaconClient({
        url: `${addresses.http}/inbox/${encodeURIComponent(name)}`,
        auth,
      });
      // Created from the unscoped API, so that its client answers before the inbox's first mail.
      await new MailbeaconClient({ url: addresses.http, auth }).createInbox(name);
      // An open inbox takes any password: its name is the login.
      const smtpAuth = credentials ?? { user: name, pass: 'mailbeacon' };
      return { name, smtp: { ...hostPort(addresses.smtp), auth: smtpAuth }, client };
    },
    stop: () => sandbox.stop(),
  };
}
