import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import { formatHostPort } from '../net/listen.js';
import type { TlsMaterial } from '../smtp/tls.js';
import type { MessageStore } from '../store/messages.js';
import { storeMailbox } from './mailbox.js';
import { Pop3Server } from './server.js';

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';

/**
 * Starts the POP3 listener given by --pop3. Without --pop3-auth any login is accepted, which is only safe on
 * loopback: elsewhere anyone on the network could read (and delete) every caught mail, so it refuses to start.
 */
export async function startPop3(
  settings: Pick<Settings, 'pop3' | 'pop3Auth'>,
  deps: { store: MessageStore; bus: EventBus; tls: TlsMaterial; logger: Logger },
): Promise<{ server: Pop3Server; address: string }> {
  const { host, port } = settings.pop3!;
  if (!settings.pop3Auth && !isLoopback(host)) {
    throw new Error(
      `[pop3] --pop3 ${formatHostPort(host, port)} is not a loopback address: add --pop3-auth USER:PASS, or anyone who can reach it reads every caught mail`,
    );
  }
  const server = new Pop3Server({
    mailbox: storeMailbox(deps.store, deps.bus),
    logger: deps.logger,
    auth: settings.pop3Auth,
    tls: deps.tls,
  });
  const bound = await server.listen(host, port);
  return { server, address: formatHostPort(bound.host, bound.port) };
}
