import { createHash, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type InboxAccess } from './access.js';
import { inboxNameProblem, oneInbox, type InboxScope } from '../model/inbox.js';

/**
 * POP3's user name is the inbox: a closed inbox opens with its own credentials (`--inbox-auth`), an open one with
 * POP3's own password (an inbox that does not exist is refused like a wrong password). POP3's own user name opens every open inbox, as without inboxes. Undefined: refused.
 */
export function pop3Login(
  access: InboxAccess,
  own: { user: string; pass: string },
  closedLogins: readonly { inbox: string; user: string; pass: string }[],
  exists: (name: string) => Promise<boolean> = async () => true,
): (user: string, pass: string) => Promise<InboxScope | undefined> {
  return async (user, pass) => {
    // The closed inbox's name with its password, as its `--inbox-auth` user name does.
    const named = closedLogins.find((c) => c.inbox === user);
    if (named) return sameText(pass, named.pass) ? oneInbox(named.inbox) : undefined;
    const closed = access.smtpLogin(user, pass);
    if (closed === 'refused') return undefined;
    if (closed) return oneInbox(closed.inbox);
    if (pass !== own.pass) return undefined;
    if (user === own.user) return access.scope(ANONYMOUS);
    if (inboxNameProblem(user) !== undefined || access.isClosed(user) || !(await exists(user)))
      return undefined;
    return oneInbox(user);
  };
}

/** Compares without telling by its timing how much of a password was right. */
function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
