import { DEFAULT_INBOX, inboxNameProblem } from '../model/inbox.js';
import { matchesMail, type MailCandidate } from '../search/match.js';
import { parseQuery } from '../search/query.js';
import { summaryOfNew, type NewMessage } from '../store/message-rows.js';
import type { Credentials, InboxAccess } from './access.js';

/** What an SMTP login opens: the user it is recorded as, and the inbox its mail goes to (none: by the rules). */
export interface SmtpLogin {
  user: string;
  inbox?: string;
}

/** A refused SMTP login, with the reply's text. */
export class SmtpLoginRefused extends Error {}

const INVALID = '5.7.8 Authentication credentials invalid';

/**
 * How an SMTP AUTH login picks the inbox: a closed inbox's credentials open that inbox; `--smtp-auth`'s credentials
 * are the whole listener's and leave the choice to the rules; otherwise the user name is the inbox, refused when it
 * cannot be one's name (the reply says why). Any refusal of credentials says the same, so it never tells whether an
 * inbox exists.
 */
export function smtpLogin(
  access: InboxAccess,
  smtpAuth: Credentials | undefined,
): (user: string, pass: string) => SmtpLogin {
  return (user, pass) => {
    const closed = access.smtpLogin(user, pass);
    if (closed === 'refused') throw new SmtpLoginRefused(INVALID);
    if (closed) return { user, inbox: closed.inbox };
    if (smtpAuth) {
      if (user === smtpAuth.user && pass === smtpAuth.pass) return { user };
      throw new SmtpLoginRefused(INVALID);
    }
    const problem = inboxNameProblem(user);
    if (problem) throw new SmtpLoginRefused(`5.7.8 The user name is the inbox, and ${problem}`);
    return { user, inbox: user };
  };
}

/**
 * `--inbox NAME=QUERY` rules: the inbox of a mail that came without one, the first rule whose search it matches,
 * else `default`. Matched in memory, on the mail about to be stored.
 */
export function inboxRouter(
  rules: readonly { inbox: string; query: string }[],
): (message: NewMessage) => string {
  const parsed = rules.map((r) => ({ inbox: r.inbox, filters: parseQuery(r.query) }));
  if (!parsed.length) return () => DEFAULT_INBOX;
  return (m) => {
    const addresses = [m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo]
      .filter((a) => !!a)
      .map((a) => `${a!.Name} ${a!.Address}`)
      .join(' ');
    // The mail as a search sees it (as tag rules do, ingest/tags.ts), with its tags given on ingest.
    const mail: MailCandidate = {
      ...summaryOfNew(m),
      inline: m.parts.filter((p) => p.inline).length,
      text: `${m.subject}\n${addresses}\n${m.searchText}`,
    };
    return parsed.find((r) => matchesMail(r.filters, mail))?.inbox ?? DEFAULT_INBOX;
  };
}
