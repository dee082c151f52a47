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
  inboxOf?: (id: string) => Promise<string | undefined>;
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
    'message.created': (message) =>
      this.inOrder(() => {
        if (message.inbox !== undefined) this.remember(message.id, message.inbox);
        this.messages([message.id], { type: 'created', message: toWireSummary(message) }, message.inbox);
      }),
    'message.read': (ids, read) => this.perInbox(ids, (part) => ({ type: 'read', ids: part, read })),
    'message.deleted': (ids) =>
      ids === 'all'
        ? this.inOrder(() => this.messages([], { type: 'deleted', ids }))
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
    // Relay entries and tracking events carry their inbox: no look-up, only the bus's order kept.
    'relay.status': (entry) =>
      this.inOrder(() => this.messages([entry.messageId], { type: 'relay', entry }, entry.inbox)),
    'tracking.event': (event) =>
      this.inOrder(() => {
        const payload: EventUpdate = { type: 'event', event };
        const topics = [TOPIC_EVENTS];
        if (event.message_id) topics.push(messageEventsTopic(event.message_id), inboxTopic(event.inbox));
        this.send(topics, payload);
      }),
  };

  /** Updates waiting behind a look-up in the store, and the last of them. */
  private waiting = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(options: AppPublisherOptions) {
    this.bus = options.bus;
    this.hub = options.hub;
    this.privateUpdates = options.privateUpdates ?? true;
    this.lookup = options.inboxOf;
  }

  private readonly lookup: ((id: string) => Promise<string | undefined>) | undefined;
  private readonly known = new Map<string, string>();

  private remember(id: string, inbox: string): void {
    this.known.delete(id);
    this.known.set(id, inbox);
    if (this.known.size > REMEMBERED_INBOXES) this.known.delete(this.known.keys().next().value!);
  }

  /**
   * Runs `publish` in the order the bus told: at once while nothing waits, else after the updates before it. Only a
   * mail not remembered makes an update wait (its inbox is looked up in the store).
   */
  private inOrder(publish: () => void | Promise<void>): void {
    if (this.waiting === 0) {
      const later = publish();
      if (later) this.wait(later);
    } else this.wait(this.tail.then(publish));
  }

  private wait(later: Promise<void>): void {
    this.waiting++;
    this.tail = later
      .catch((err: Error) => this.hub.logger.warn(`could not publish an update: ${err.message}`))
      .finally(() => this.waiting--);
  }

  /** `publish` with the mails' inboxes (undefined for a mail gone), in the order the bus told. */
  private withInboxes(ids: string[], publish: (inboxes: (string | undefined)[]) => void): void {
    this.inOrder(() => {
      const missing = this.lookup ? ids.filter((id) => !this.known.has(id)) : [];
      if (missing.length === 0) return publish(ids.map((id) => this.known.get(id)));
      const found = new Map<string, string | undefined>();
      return Promise.all(
        missing.map((id) =>
          this.lookup!(id).then(
            (inbox) => void found.set(id, inbox),
            () => undefined,
          ),
        ),
      ).then(() => {
        for (const [id, inbox] of found) if (inbox !== undefined) this.remember(id, inbox);
        publish(ids.map((id) => this.known.get(id) ?? found.get(id)));
      });
    });
  }

  /** One update per inbox the mails are in, so that each reaches only who may see that inbox. */
  private perInbox(ids: string[], payload: (ids: string[]) => MessageUpdate): void {
    this.withInboxes(ids, (inboxes) => {
      const groups = new Map<string | undefined, string[]>();
      ids.forEach((id, i) => {
        const group = groups.get(inboxes[i]);
        if (group) group.push(id);
        else groups.set(inboxes[i], [id]);
      });
      if (groups.size === 0) groups.set(undefined, []);
      for (const [inbox, part] of groups) this.messages(part, payload(part), inbox);
    });
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
