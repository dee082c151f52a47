/** Shortcuts must not fire while someone types into a field. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'j / k', what: 'open the next / previous mail' },
  { keys: '↓ / ↑', what: 'highlight the next / previous mail' },
  { keys: 'Enter', what: 'open the highlighted mail; confirm a dialog' },
  { keys: 'x', what: 'select / unselect the highlighted mail' },
  { keys: 'u', what: 'mark the open mail read / unread' },
  { keys: 'Delete', what: 'delete the open, selected or highlighted mail (asks first)' },
  { keys: '/', what: 'search' },
  { keys: 'Esc', what: 'leave the search box, close a dialog' },
  { keys: '?', what: 'this help' },
];

/** Where a list key leaves the highlight, and whether it opens the mail there. */
export interface ListMove {
  index: number;
  open: boolean;
}

/**
 * j/k move from the open mail (or the highlight) and open the mail they land on, as Mailpit and MailDev do; the
 * arrows only move the highlight, and Enter opens the highlighted mail. Null for other keys and empty lists.
 */
export function listMove(
  key: string,
  { cursor, selected, total }: { cursor: number; selected: number; total: number },
): ListMove | null {
  if (total <= 0) return null;
  const from = cursor >= 0 ? cursor : selected;
  const clamp = (i: number) => Math.max(0, Math.min(total - 1, i));
  switch (key) {
    case 'j':
    case 'ArrowDown':
      return { index: clamp(from + 1), open: key === 'j' };
    case 'k':
    case 'ArrowUp':
      return { index: clamp(from < 0 ? 0 : from - 1), open: key === 'k' };
    case 'Enter':
      return cursor >= 0 ? { index: clamp(cursor), open: true } : null;
    default:
      return null;
  }
}

/** What u and Delete act on: the checked mails, else the open mail, else the highlighted one. */
export function keyTargets(
  checked: ReadonlySet<string>,
  openId: string | null,
  cursorId: string | null,
): string[] {
  if (checked.size > 0) return [...checked];
  if (openId) return [openId];
  return cursorId ? [cursorId] : [];
}
