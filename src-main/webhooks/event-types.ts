import type { RelayStatus } from '../model/relay.js';

/**
 * Event types a webhook can receive. Relay entries are named by what happened to them; 'sending' is a moment inside
 * the worker, not news for a receiver.
 */
export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'open',
  'click',
  'unsub',
  'relay.queued',
  'relay.sent',
  'relay.failed',
  'relay.dead',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const RELAY_EVENT: Record<RelayStatus, WebhookEventType | null> = {
  pending: 'relay.queued',
  sending: null,
  sent: 'relay.sent',
  failed: 'relay.failed',
  dead: 'relay.dead',
};

/** `--webhook-events` entries: exact types, `prefix.*`, or `*`. */
export class EventFilter {
  readonly patterns: string[];

  constructor(patterns: string[]) {
    for (const pattern of patterns) {
      if (!WEBHOOK_EVENT_TYPES.some((type) => matches(pattern, type))) {
        throw new Error(
          `[webhooks] --webhook-events: "${pattern}" matches no event (known: ${WEBHOOK_EVENT_TYPES.join(', ')})`,
        );
      }
    }
    this.patterns = patterns;
  }

  accepts(type: string): boolean {
    return this.patterns.some((pattern) => matches(pattern, type));
  }
}

function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}
