import type { InboxScope } from '../model/inbox.js';
import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import type { TlsMaterial } from '../net/tls.js';
import type { MessageStore } from '../store/contract.js';
import { loadOrCreatePop3Login, type Pop3Login } from './login.js';
import { storeMailbox } from './mailbox.js';
import { Pop3Server } from './server.js';

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/**
 * Starts the POP3 listener given by --pop3. A login is always required: `--pop3-auth`, or one generated into the
 * data directory. Beyond loopback the login must be chosen explicitly, since it travels the network.
 */
export async function startPop3(
  settings: Pick<Settings, 'pop3' | 'pop3Auth' | 'dataDir'>,
  deps: {
    store: MessageStore;
    bus: EventBus;
    tls: TlsMaterial;
    logger: Logger;
    /** The inboxes a login opens, given POP3's own login (inboxes/pop3-login.ts). */
    login?: (own: {
      user: string;
      pass: string;
    }) => (user: string, pass: string) => Promise<InboxScope | undefined>;
  },
): Promise<{ server: Pop3Server; address: string; login: Pop3Login }> {
  const { host, port } = settings.pop3!;
  if (!settings.pop3Auth && !isLoopback(host)) {
    throw new Error(
      `[pop3] --pop3 ${formatHostPort(host, port)} is not a loopback address: add --pop3-auth USER:PASS, the login mail clients on other machines will use`,
    );
  }
  const login = loadOrCreatePop3Login(settings.dataDir, settings.pop3Auth);
  const server = new Pop3Server({
    mailbox: storeMailbox(deps.store, deps.bus),
    logger: deps.logger,
    auth: { user: login.user, pass: login.pass },
    login: deps.login?.({ user: login.user, pass: login.pass }),
    tls: deps.tls,
  });
  const bound = await server.listen(host, port);
  return { server, address: formatHostPort(bound.host, bound.port), login };
}
