import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import { startPop3 } from '../pop3/index.js';
import type { Pop3Login } from '../pop3/login.js';
import type { Pop3Server } from '../pop3/server.js';
import type { MessageStore } from '../store/sqlite/messages.js';
import { SmtpCatcher } from './catcher.js';
import type { Chaos } from './chaos.js';
import { loadSmtpTls } from '../net/tls.js';

export interface Capture {
  /** The SMTP listener, once `listen` has built it. */
  smtp(): SmtpCatcher | undefined;
  /** Starts SMTP (and SMTPS with `--smtps`), then POP3 when `--pop3` asks for it (all share the TLS certificate). */
  listen(): Promise<{ smtp: string; smtps?: string; pop3?: string; pop3Login?: Pop3Login }>;
  /** Stops SMTP (no new mail), then POP3; a failure of the first does not keep the second open. */
  close(): Promise<void>;
}

/** The listeners that catch and serve mail: SMTP into ingest, and POP3 out of the store. */
export function createCapture(
  settings: Settings,
  deps: { ingest: Ingest; store: MessageStore; bus: EventBus; chaos: Chaos; logger: Logger },
): Capture {
  let smtp: SmtpCatcher | undefined;
  let pop3: Pop3Server | undefined;
  return {
    smtp: () => smtp,
    listen: async () => {
      // STARTTLS is on with --smtp-tls or the user's own certificate. The certificate is made or read only when a
      // listener uses it: POP3 keeps offering STLS with it, as mail clients expect.
      const starttls = settings.smtpTls || !!settings.smtpTlsCert;
      const tls =
        starttls || settings.smtps || settings.pop3
          ? await loadSmtpTls({
              dataDir: settings.dataDir,
              certFile: settings.smtpTlsCert,
              keyFile: settings.smtpTlsKey,
            })
          : undefined;
      smtp = new SmtpCatcher({
        accept: (mail) => deps.ingest.accept(mail),
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
      });
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
      const started =
        settings.pop3 &&
        (await startPop3(settings, {
          store: deps.store,
          bus: deps.bus,
          tls: tls!,
          logger: deps.logger.child('pop3'),
        }));
      if (started) pop3 = started.server;
      return {
        smtp: formatHostPort(bound.host, bound.port),
        ...(smtps && { smtps: formatHostPort(smtps.host, smtps.port) }),
        ...(started && { pop3: started.address, pop3Login: started.login }),
      };
    },
    close: async () => {
      try {
        await smtp?.close();
      } finally {
        await pop3?.close();
      }
    },
  };
}
