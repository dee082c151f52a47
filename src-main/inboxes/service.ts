import type { Settings } from '../config/schema.js';
import type { Clock } from '../logger.js';
import type { InboxStore } from '../store/contract.js';
import { InboxAccess } from './access.js';

/**
 * Who sees which inbox (`--inbox-auth`, `--ui-auth`); the inboxes the flags name exist from the start, so a closed
 * inbox answers with its credentials before its first mail.
 */
export async function createInboxes(
  settings: Pick<Settings, 'inboxAuth' | 'uiAuth' | 'smtpInbox' | 'inbox'>,
  deps: { inboxes: InboxStore; clock: Clock },
): Promise<{ access: InboxAccess }> {
  const named = [...settings.inboxAuth, ...settings.smtpInbox, ...settings.inbox].map((entry) => entry.inbox);
  for (const name of new Set(named)) await deps.inboxes.create(name, deps.clock.now());
  return { access: new InboxAccess({ closed: settings.inboxAuth, admin: settings.uiAuth }) };
}
