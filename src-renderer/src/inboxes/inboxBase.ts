// The inbox the page was opened on: `/inbox/NAME/` shows that inbox alone, `/` every inbox the caller may see.
// Every API call, link and hub subscription goes under the same prefix, so the server scopes them all.

/** The inbox named by a page path (`/inbox/shop/` → `shop`), undefined for the unscoped UI. */
export function inboxFromPath(pathname: string): string | undefined {
  const m = /^\/inbox\/([^/]+)/.exec(pathname);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
}

/** The URL prefix of an inbox ('' for every inbox). */
export const inboxPrefix = (name: string | undefined): string =>
  name === undefined ? '' : `/inbox/${encodeURIComponent(name)}`;

/** The inbox this page shows, undefined when it shows every inbox. */
export const CURRENT_INBOX: string | undefined =
  typeof window === 'undefined' ? undefined : inboxFromPath(window.location.pathname);

/** Prefix of every same-origin path this page requests. */
export const INBOX_BASE = inboxPrefix(CURRENT_INBOX);
