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
