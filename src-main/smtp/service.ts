import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import { startPop3 } from '../pop3/index.js';
import type { Pop3Login } from '../pop3/login.js';
import type { Pop3Server } from '../pop3/server.js';
import type { MessageStore } from '../store/messages.js';
import { SmtpCatcher } from './catcher.js';
import type { Chaos } from './chaos.js';
import { loadSmtpTls } from './tls.js';

export interface Capture {
  /** The SMTP listener, once `listen` has built it. */
  smtp(): SmtpCatcher | undefined;
  /** Starts SMTP, then POP3 when `--pop3` asks for it (both share the TLS certificate). */
  listen(): Promise<{ smtp: string; pop3?: string; pop3Login?: Pop3Login }>;
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
      const tls = await loadSmtpTls({
        dataDir: settings.dataDir,
        certFile: settings.smtpTlsCert,
        keyFile: settings.smtpTlsKey,
      });
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
        chaos: deps.chaos,
      });
      const bound = await smtp.listen(settings.smtp.host, settings.smtp.port);
      const started =
        settings.pop3 &&
        (await startPop3(settings, {
          store: deps.store,
          bus: deps.bus,
          tls,
          logger: deps.logger.child('pop3'),
        }));
      if (started) pop3 = started.server;
      return {
        smtp: formatHostPort(bound.host, bound.port),
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
