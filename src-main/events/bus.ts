import { EventEmitter } from 'node:events';
import type { MessageSummary, RelayEntry, TrackingEvent } from '../api/types.js';

/**
 * What happened inside the sandbox, for whoever wants to know (hub, webhooks, relay, desktop notifications).
 * Producers (ingest, API, tracking server, relay worker) emit; nothing in the store knows who listens.
 */
export interface SandboxEvents {
  'message.created': [message: MessageSummary];
  'message.read': [ids: string[], read: boolean];
  'message.deleted': [ids: string[] | 'all'];
  /** The tags of these mails changed (set, renamed or deleted). */
  'message.tags': [ids: string[]];
  'tracking.event': [event: TrackingEvent];
  'relay.status': [entry: RelayEntry];
}

export class EventBus extends EventEmitter<SandboxEvents> {
  constructor() {
    super({ captureRejections: false });
    // Every service may listen; the default limit of 10 would warn about a normal configuration.
    this.setMaxListeners(100);
  }
}
