import { EventEmitter } from 'node:events';
import type { MessageListing } from '../model/message.js';
import type { RelayEntry } from '../model/relay.js';
import type { TrackingEvent } from '../model/tracking.js';

/**
 * What happened inside the sandbox, for whoever wants to know (hub, webhooks, relay, desktop notifications).
 * Producers (ingest, API, tracking server, relay worker) emit; nothing in the store knows who listens.
 */
export interface SandboxEvents {
  'message.created': [message: MessageListing];
  'message.read': [ids: string[], read: boolean];
  'message.deleted': [ids: string[] | 'all'];
  /** The tags of these mails changed (set, renamed or deleted). */
  'message.tags': [ids: string[]];
  'tracking.event': [event: TrackingEvent];
  'relay.status': [entry: RelayEntry];
  /** An inbox's settings changed (saved, or moved or dropped with the inbox). */
  'inbox.settings': [change: { inbox: string }];
}

export class EventBus extends EventEmitter<SandboxEvents> {
  constructor() {
    super({ captureRejections: false });
    // Every service may listen; the default limit of 10 would warn about a normal configuration.
    this.setMaxListeners(100);
  }
}
