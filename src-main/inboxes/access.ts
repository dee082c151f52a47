import { timingSafeEqual } from 'node:crypto';
import { ALL_INBOXES, inboxesExcept, oneInbox, type InboxScope } from '../model/inbox.js';

export interface Credentials {
  user: string;
  pass: string;
}

/** Who is asking: the administrator (`--ui-auth`), and the closed inboxes whose credentials they gave. */
export interface Caller {
  admin: boolean;
  /** Closed inboxes this caller opened with their credentials. */
  opened: readonly string[];
  /** Credentials were given and match nobody's. */
  refused: boolean;
}

export const ANONYMOUS: Caller = Object.freeze({ admin: false, opened: [], refused: false });

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  // Compared in constant time; a length mismatch still compares, against itself, so it takes as long.
  return x.length === y.length ? timingSafeEqual(x, y) : (timingSafeEqual(x, x), false);
}

const matches = (given: Credentials, expected: Credentials) =>
  same(given.user, expected.user) && same(given.pass, expected.pass);

/** A Basic `Authorization` header's credentials, undefined for none or another scheme. */
export function basicCredentials(header: string | undefined): Credentials | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), pass: text.slice(i + 1) };
}

/**
 * Who may see which inbox: `--inbox-auth` closes inboxes behind their own credentials, `--ui-auth` is the
 * administrator, who sees every inbox. Without `--ui-auth` there is no administrator: anyone who reaches the
 * listener sees the open inboxes, and a closed one only with its credentials.
 */
export class InboxAccess {
  readonly #closed: Map<string, Credentials>;
  readonly #admin: Credentials | undefined;

  constructor(options: {
    closed?: readonly { inbox: string; user: string; pass: string }[];
    admin?: Credentials;
  }) {
    this.#closed = new Map((options.closed ?? []).map((c) => [c.inbox, { user: c.user, pass: c.pass }]));
    this.#admin = options.admin;
  }

  isClosed(name: string): boolean {
    return this.#closed.has(name);
  }

  closedNames(): string[] {
    return [...this.#closed.keys()];
  }

  /** The caller a request's credentials make (see `basicCredentials`). */
  caller(given: Credentials | undefined): Caller {
    if (!given) return ANONYMOUS;
    const admin = !!this.#admin && matches(given, this.#admin);
    const opened = [...this.#closed].filter(([, c]) => matches(given, c)).map(([name]) => name);
    return { admin, opened, refused: !admin && opened.length === 0 };
  }

  /** Whether a caller may see inbox `name`. */
  mayOpen(caller: Caller, name: string): boolean {
    return caller.admin || !this.#closed.has(name) || caller.opened.includes(name);
  }

  /** What a caller sees: one inbox (which it must be allowed to open), or every inbox it may. */
  scope(caller: Caller, inbox?: string): InboxScope {
    if (inbox !== undefined) return oneInbox(inbox);
    if (caller.admin) return ALL_INBOXES;
    return inboxesExcept(this.closedNames().filter((name) => !caller.opened.includes(name)));
  }

  /**
   * The inbox an SMTP login opens: a closed inbox's credentials open it; any other closed inbox's name, or a
   * password that is not its own, is refused. `undefined`: the login names no closed inbox.
   */
  smtpLogin(user: string, pass: string): { inbox: string } | 'refused' | undefined {
    for (const [name, c] of this.#closed) if (matches({ user, pass }, c)) return { inbox: name };
    for (const [name, c] of this.#closed) if (same(user, c.user) || same(user, name)) return 'refused';
    return undefined;
  }
}
