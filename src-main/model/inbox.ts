// Inboxes: every mail belongs to one, named by the SMTP AUTH user, a routing rule or `default`. A caller sees a set
// of inboxes (its scope); the store narrows every read to it and the API answers 404 for a mail outside it.

/** Where mail lands when nothing else names an inbox. */
export const DEFAULT_INBOX = 'default';

/** Letters, digits, `.`, `_` and `-`, at most 64: safe in a URL path, a topic and an SMTP user name as they are. */
export const INBOX_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Why a name cannot be an inbox's, or undefined when it can. */
export function inboxNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an inbox name cannot be empty';
  if (name.length > 64) return 'an inbox name has at most 64 characters';
  if (!INBOX_NAME.test(name)) return 'an inbox name has only letters, digits, ".", "_" and "-"';
  if (name === '.' || name === '..') return 'an inbox name cannot be "." or ".."';
  return undefined;
}

/**
 * The inboxes a caller sees.
 * - `all`: every inbox (the administrator, or nobody has closed an inbox);
 * - `inbox`: one inbox (`/inbox/NAME/…`, `mb.inbox(NAME)`);
 * - `except`: every inbox but the closed ones the caller has no credentials for (the unscoped views).
 */
export type InboxScope =
  { kind: 'all' } | { kind: 'inbox'; name: string } | { kind: 'except'; hidden: readonly string[] };

export const ALL_INBOXES: InboxScope = Object.freeze({ kind: 'all' });

export const oneInbox = (name: string): InboxScope => ({ kind: 'inbox', name });

/** The unscoped view of a caller who may not see `hidden` (closed inboxes not theirs). */
export const inboxesExcept = (hidden: readonly string[]): InboxScope =>
  hidden.length ? { kind: 'except', hidden } : ALL_INBOXES;

/** Whether a mail, event or entry of inbox `name` is visible in `scope`. */
export function inScope(scope: InboxScope, name: string): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'inbox':
      return scope.name === name;
    case 'except':
      return !scope.hidden.includes(name);
  }
}

/** The SQL condition on an inbox column (`m.inbox`, `e.inbox`) for a scope; null when it lets everything through. */
export function scopeSql(scope: InboxScope, column: string): { where: string; params: string[] } | null {
  switch (scope.kind) {
    case 'all':
      return null;
    case 'inbox':
      return { where: `${column} = ?`, params: [scope.name] };
    case 'except':
      return {
        where: `${column} NOT IN (${scope.hidden.map(() => '?').join(',')})`,
        params: [...scope.hidden],
      };
  }
}

/**
 * The same condition with the names written in: for queries whose other values are named parameters. Safe because
 * every name in a scope passed `inboxNameProblem` (letters, digits, `.`, `_`, `-`); a name that did not is refused.
 */
export function scopeSqlLiteral(scope: InboxScope, column: string): string {
  const names = scope.kind === 'inbox' ? [scope.name] : scope.kind === 'except' ? scope.hidden : [];
  if (names.some((n) => !INBOX_NAME.test(n)))
    throw new Error('an inbox scope holds a name that is no inbox name');
  const list = names.map((n) => `'${n}'`).join(', ');
  switch (scope.kind) {
    case 'all':
      return '1';
    case 'inbox':
      return `${column} = ${list}`;
    case 'except':
      return names.length ? `${column} NOT IN (${list})` : '1';
  }
}

/** An inbox as `GET /api/v1/inboxes` lists it. */
export interface InboxInfo {
  name: string;
  total: number;
  unread: number;
  /** Closed by `--inbox-auth`: its mail needs its credentials or the administrator's. */
  closed: boolean;
  /** When its newest mail arrived (ms), null when it holds none. */
  lastMs: number | null;
  createdMs: number;
}
