import {
  TOPIC_EVENTS,
  TOPIC_MESSAGES,
  messageEventsTopic,
  messageTopic,
  type EventUpdate,
  type MessageUpdate,
} from '../wire/types.js';
import { toWireSummary } from '../wire/messages.js';
import type { EventBus, SandboxEvents } from '../events/bus.js';
import type { Hub } from './hub.js';

/**
 * A bulk change (mark all read, delete 5,000 mails) is announced on the collection topic only: one alternate
 * topic per mail would make a single update as large as the mailbox and every selector check as slow.
 */
export const MAX_PER_MESSAGE_TOPICS = 100;

export interface AppPublisherOptions {
  bus: EventBus;
  hub: Hub;
  /** Mail content is personal data, so updates are private unless the user decides otherwise. */
  privateUpdates?: boolean;
}

type Listeners = { [K in keyof SandboxEvents]: (...args: SandboxEvents[K]) => void };

/** Turns what happens in the sandbox (EventBus) into hub updates on the app's topics (docs/HUB.md). */
export class AppPublisher {
  private readonly bus: EventBus;
  private readonly hub: Hub;
  private readonly privateUpdates: boolean;
  private started = false;

  private readonly listeners: Listeners = {
    'message.created': (message) =>
      this.messages([message.id], { type: 'created', message: toWireSummary(message) }),
    'message.read': (ids, read) => this.messages(ids, { type: 'read', ids, read }),
    'message.deleted': (ids) => this.messages(ids === 'all' ? [] : ids, { type: 'deleted', ids }),
    'message.tags': (ids) => this.messages(ids, { type: 'tags', ids }),
    'relay.status': (entry) => this.messages([entry.messageId], { type: 'relay', entry }),
    'tracking.event': (event) => {
      const payload: EventUpdate = { type: 'event', event };
      const topics = [TOPIC_EVENTS];
      if (event.message_id) topics.push(messageEventsTopic(event.message_id));
      this.send(topics, payload);
    },
  };

  constructor(options: AppPublisherOptions) {
    this.bus = options.bus;
    this.hub = options.hub;
    this.privateUpdates = options.privateUpdates ?? true;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const [name, listener] of Object.entries(this.listeners)) {
      this.bus.on(name as keyof SandboxEvents, listener as (...args: unknown[]) => void);
    }
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    for (const [name, listener] of Object.entries(this.listeners)) {
      this.bus.off(name as keyof SandboxEvents, listener as (...args: unknown[]) => void);
    }
  }

  private messages(ids: string[], payload: MessageUpdate): void {
    const topics = [TOPIC_MESSAGES];
    if (ids.length <= MAX_PER_MESSAGE_TOPICS) topics.push(...ids.filter(Boolean).map(messageTopic));
    this.send(topics, payload);
  }

  private send(topics: string[], payload: MessageUpdate | EventUpdate): void {
    // A listener that threw would be reported as the emitter's error; the producer must not fail because
    // nobody could be told (the hub is closing, say).
    try {
      this.hub.publish({ topics, data: JSON.stringify(payload), private: this.privateUpdates });
    } catch (err) {
      this.hub.logger.warn(`could not publish ${payload.type} update: ${(err as Error).message}`);
    }
  }
}
