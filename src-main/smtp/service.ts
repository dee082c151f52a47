import type { Settings } from '../config/schema.js';
import type { CaughtMail, Ingest } from '../ingest/ingest.js';
import type { InboxAccess } from '../inboxes/access.js';
import { smtpLogin } from '../inboxes/routing.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import { loadSmtpTls, type TlsMaterial } from '../net/tls.js';
import { SmtpCatcher } from './catcher.js';
import type { Chaos } from './chaos.js';

export interface Capture {
  /** The SMTP listener, once `listen` has built it. */
  smtp(): SmtpCatcher | undefined;
  /** Starts SMTP, and SMTPS with `--smtps`, with the certificate of `loadCaptureTls`. */
  listen(tls: TlsMaterial | undefined): Promise<{
    smtp: string;
    smtps?: string;
    /** `--smtp-inbox`: host:port of each inbox's own listener. */
    inboxes?: Record<string, string>;
  }>;
  close(): Promise<void>;
}

/**
 * The certificate of the listeners that speak mail: made or read only when one uses it (STARTTLS, SMTPS, or POP3,
 * which keeps offering STLS with it, as mail clients expect).
 */
export async function loadCaptureTls(settings: Settings): Promise<TlsMaterial | undefined> {
  const starttls = settings.smtpTls || !!settings.smtpTlsCert;
  if (!starttls && !settings.smtps && !settings.pop3) return undefined;
  return loadSmtpTls({
    dataDir: settings.dataDir,
    certFile: settings.smtpTlsCert,
    keyFile: settings.smtpTlsKey,
  });
}

/** The listener that catches mail: SMTP into ingest. */
export function createCapture(
  settings: Settings,
  deps: { ingest: Ingest; chaos: Chaos; logger: Logger; inboxAccess: InboxAccess },
): Capture {
  let smtp: SmtpCatcher | undefined;
  /** `--smtp-inbox`: a listener per inbox. */
  const extra: SmtpCatcher[] = [];
  return {
    smtp: () => smtp,
    listen: async (tls) => {
      // STARTTLS is on with --smtp-tls or the user's own certificate.
      const starttls = settings.smtpTls || !!settings.smtpTlsCert;
      const catcherOptions = {
        accept: (mail: CaughtMail) => deps.ingest.accept(mail),
        logger: deps.logger.child('smtp'),
        maxMessageSize: settings.maxMessageSize,
        maxRecipients: settings.maxRecipients,
        maxConnections: settings.maxConnections,
        commandTimeoutMs: settings.smtpCommandTimeout,
        dataTimeoutMs: settings.smtpDataTimeout,
        auth: settings.smtpAuth,
        tls,
        starttls,
        requireTls: settings.smtpRequireTls,
        chaos: deps.chaos,
        login: smtpLogin(deps.inboxAccess, settings.smtpAuth),
      };
      smtp = new SmtpCatcher(catcherOptions);
      if (tls && (starttls || settings.smtps)) {
        deps.logger
          .child('smtp')
          .info(
            `TLS certificate ${tls.certFile ?? '(self-signed, kept in memory: give --data-dir to keep it)'}${starttls ? '' : ' (SMTPS only)'}`,
          );
      }
      const bound = await smtp.listen(settings.smtp.host, settings.smtp.port);
      const smtps =
        settings.smtps && (await smtp.listenImplicitTls(settings.smtps.host, settings.smtps.port));
      const inboxListeners: Record<string, string> = {};
      for (const { inbox, host, port } of settings.smtpInbox) {
        const catcher = new SmtpCatcher({ ...catcherOptions, inbox });
        extra.push(catcher);
        const at = await catcher.listen(host, port);
        inboxListeners[inbox] = formatHostPort(at.host, at.port);
      }
      return {
        smtp: formatHostPort(bound.host, bound.port),
        ...(smtps && { smtps: formatHostPort(smtps.host, smtps.port) }),
        ...(settings.smtpInbox.length && { inboxes: inboxListeners }),
      };
    },
    close: async () => {
      await Promise.all([smtp?.close(), ...extra.map((c) => c.close())]);
    },
  };
}
