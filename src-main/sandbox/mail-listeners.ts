import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../logger.js';
import { startPop3 } from '../pop3/index.js';
import type { Pop3Login } from '../pop3/login.js';
import type { Pop3Server } from '../pop3/server.js';
import type { Chaos } from '../smtp/chaos.js';
import { createCapture, loadCaptureTls, type Capture } from '../smtp/service.js';
import type { InboxAccess } from '../inboxes/access.js';
import { pop3Login } from '../inboxes/pop3-login.js';
import type { InboxStore, MessageStore } from '../store/contract.js';

export interface MailListeners {
  /** The SMTP listener, once `listen` has built it. */
  smtp: Capture['smtp'];
  /** Starts SMTP (and SMTPS with `--smtps`), then POP3 when `--pop3` asks for it (all share the TLS certificate). */
  listen(): Promise<{
    smtp: string;
    smtps?: string;
    pop3?: string;
    pop3Login?: Pop3Login;
    /** `--smtp-inbox`: host:port of each inbox's own listener. */
    inboxes?: Record<string, string>;
  }>;
  /** Stops SMTP (no new mail), then POP3; a failure of the first does not keep the second open. */
  close(): Promise<void>;
}

/** The listeners that speak mail: SMTP into ingest, and POP3 out of the store. */
export function createMailListeners(
  settings: Settings,
  deps: {
    ingest: Ingest;
    store: MessageStore;
    bus: EventBus;
    chaos: Chaos;
    logger: Logger;
    inboxAccess: InboxAccess;
    /** The inboxes: POP3 opens only those that exist. */
    inboxes: Pick<InboxStore, 'exists'>;
  },
): MailListeners {
  const capture = createCapture(settings, deps);
  let pop3: Pop3Server | undefined;
  return {
    smtp: capture.smtp,
    listen: async () => {
      const tls = await loadCaptureTls(settings);
      const smtp = await capture.listen(tls);
      const { store, bus, logger } = deps;
      const started =
        settings.pop3 &&
        (await startPop3(settings, {
          store,
          bus,
          tls: tls!,
          logger: logger.child('pop3'),
          // POP3's user name is the inbox (inboxes/pop3-login.ts).
          login: (own) =>
            pop3Login(deps.inboxAccess, own, settings.inboxAuth, (name) => deps.inboxes.exists(name)),
        }));
      if (started) pop3 = started.server;
      return { ...smtp, ...(started && { pop3: started.address, pop3Login: started.login }) };
    },
    close: async () => {
      try {
        await capture.close();
      } finally {
        await pop3?.close();
      }
    },
  };
}
