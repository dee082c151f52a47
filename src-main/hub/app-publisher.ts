import {
  TOPIC_EVENTS,
  TOPIC_MESSAGES,
  messageEventsTopic,
  messageTopic,
  type EventUpdate,
  type HubUpdate,
  type MessageUpdate,
} from '../wire/types.js';
import { toWireSummary } from '../wire/messages.js';
import type { EventBus, SandboxEvents } from '../events/bus.js';
import type { Hub } from './hub.js';
import { inboxTopic } from './inbox-topics.js';

/** How many mails' inboxes the publisher remembers, so a deletion can still be told to the inbox it was in. */
const REMEMBERED_INBOXES = 10_000;

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
  /** The inbox of a stored mail (undefined once it is gone): updates carry their inbox's topic. */
  inboxOf?: (id: string) => string | undefined;
}

// An inbox's settings are read back through the API: no hub update for them.
type Listeners = {
  [K in Exclude<keyof SandboxEvents, 'inbox.settings'>]: (...args: SandboxEvents[K]) => void;
};

/** Turns what happens in the sandbox (EventBus) into hub updates on the app's topics (docs/HUB.md). */
export class AppPublisher {
  private readonly bus: EventBus;
  private readonly hub: Hub;
  private readonly privateUpdates: boolean;
  private started = false;

  private readonly listeners: Listeners = {
    'message.created': (message) => {
      if (message.inbox !== undefined) this.remember(message.id, message.inbox);
      this.messages([message.id], { type: 'created', message: toWireSummary(message) }, message.inbox);
    },
    'message.read': (ids, read) => this.perInbox(ids, (part) => ({ type: 'read', ids: part, read })),
    'message.deleted': (ids) =>
      ids === 'all'
        ? this.messages([], { type: 'deleted', ids })
        : this.perInbox(ids, (part) => ({ type: 'deleted', ids: part })),
    'message.tags': (ids) => this.perInbox(ids, (part) => ({ type: 'tags', ids: part })),
    // The inbox a mail left sees it go, the one it joined sees it arrive, each on its own topic only.
    'message.moved': (moves) => {
      const left = new Map<string, string[]>();
      for (const { message, from } of moves) {
        const ids = left.get(from);
        if (ids) ids.push(message.id);
        else left.set(from, [message.id]);
      }
      for (const [from, ids] of left) this.messages(ids, { type: 'deleted', ids }, from);
      for (const { message } of moves) {
        if (message.inbox !== undefined) this.remember(message.id, message.inbox);
        this.messages([message.id], { type: 'created', message: toWireSummary(message) }, message.inbox);
      }
    },
    'relay.status': (entry) =>
      this.messages([entry.messageId], { type: 'relay', entry }, this.inboxOf(entry.messageId)),
    'tracking.event': (event) => {
      const payload: EventUpdate = { type: 'event', event };
      const topics = [TOPIC_EVENTS];
      if (event.message_id) topics.push(messageEventsTopic(event.message_id));
      const inbox = event.message_id ? this.inboxOf(event.message_id) : undefined;
      if (inbox !== undefined) topics.push(inboxTopic(inbox));
      this.send(topics, payload);
    },
  };

  constructor(options: AppPublisherOptions) {
    this.bus = options.bus;
    this.hub = options.hub;
    this.privateUpdates = options.privateUpdates ?? true;
    this.lookup = options.inboxOf;
  }

  private readonly lookup: ((id: string) => string | undefined) | undefined;
  private readonly known = new Map<string, string>();

  private remember(id: string, inbox: string): void {
    this.known.delete(id);
    this.known.set(id, inbox);
    if (this.known.size > REMEMBERED_INBOXES) this.known.delete(this.known.keys().next().value!);
  }

  private inboxOf(id: string): string | undefined {
    const known = this.known.get(id);
    if (known !== undefined) return known;
    const found = this.lookup?.(id);
    if (found !== undefined) this.remember(id, found);
    return found;
  }

  /** One update per inbox the mails are in, so that each reaches only who may see that inbox. */
  private perInbox(ids: string[], payload: (ids: string[]) => MessageUpdate): void {
    const groups = new Map<string | undefined, string[]>();
    for (const id of ids) {
      const inbox = this.inboxOf(id);
      const group = groups.get(inbox);
      if (group) group.push(id);
      else groups.set(inbox, [id]);
    }
    if (groups.size === 0) groups.set(undefined, []);
    for (const [inbox, part] of groups) this.messages(part, payload(part), inbox);
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

  private messages(ids: string[], payload: MessageUpdate, inbox?: string): void {
    const topics = [TOPIC_MESSAGES];
    if (inbox !== undefined) topics.push(inboxTopic(inbox));
    if (ids.length <= MAX_PER_MESSAGE_TOPICS) topics.push(...ids.filter(Boolean).map(messageTopic));
    this.send(topics, payload);
  }

  private send(topics: string[], payload: HubUpdate): void {
    // A listener that threw would be reported as the emitter's error; the producer must not fail because
    // nobody could be told (the hub is closing, say).
    try {
      this.hub.publish({ topics, data: JSON.stringify(payload), private: this.privateUpdates });
    } catch (err) {
      this.hub.logger.warn(`could not publish ${payload.type} update: ${(err as Error).message}`);
    }
  }
}
