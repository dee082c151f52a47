import { inScope, type InboxScope } from '../model/inbox.js';

/**
 * Every app update about an inbox's mail carries the inbox's topic as an alternate topic: a subscriber token
 * for that topic reaches that inbox's updates only, and the hub keeps a closed inbox's updates from anyone who
 * may not open it.
 */
export const INBOX_TOPIC_PREFIX = 'urn:mailbeacon:inbox:';

export const inboxTopic = (name: string): string => `${INBOX_TOPIC_PREFIX}${encodeURIComponent(name)}`;

/** The inbox an update is about (from its topics), undefined for an update about no single inbox. */
export function inboxOfTopics(topics: readonly string[]): string | undefined {
  for (const topic of topics) {
    if (!topic.startsWith(INBOX_TOPIC_PREFIX)) continue;
    try {
      return decodeURIComponent(topic.slice(INBOX_TOPIC_PREFIX.length));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Whether a subscriber may get an update about `inbox`: within the inboxes its request may see, or holding a
 * token minted for exactly that inbox's topic (which only a caller who could open the inbox was given).
 */
export function inboxAllows(
  scope: InboxScope | undefined,
  allowed: readonly string[],
  inbox: string | undefined,
): boolean {
  if (inbox === undefined || scope === undefined) return true;
  return inScope(scope, inbox) || allowed.includes(inboxTopic(inbox));
}
