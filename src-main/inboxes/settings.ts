import type { EventBus } from '../events/bus.js';
import {
  hasNoOverrides,
  NO_OVERRIDES,
  type InboxSettings,
  type InboxSettingsSource,
} from '../model/inbox-settings.js';
import type { InboxStore } from '../store/contract.js';

/**
 * Every inbox's settings in memory, loaded once at start and written through the store: the services (ingest,
 * retention, relay, webhooks) read `get(inbox)` when they act on a mail, never the database per mail. A change is
 * announced as `inbox.settings` on the bus, for whoever keeps a copy (a worker thread, the UI's hub topic).
 */
export class InboxSettingsView implements InboxSettingsSource {
  readonly #store: InboxStore;
  readonly #bus: EventBus;
  /** Only the inboxes that override something: the others answer NO_OVERRIDES. */
  readonly #overriding = new Map<string, InboxSettings>();

  private constructor(store: InboxStore, bus: EventBus) {
    this.#store = store;
    this.#bus = bus;
  }

  static async load(store: InboxStore, bus: EventBus): Promise<InboxSettingsView> {
    const view = new InboxSettingsView(store, bus);
    for (const [name, settings] of await store.allSettings()) view.#remember(name, settings);
    return view;
  }

  get(name: string): InboxSettings {
    return this.#overriding.get(name) ?? NO_OVERRIDES;
  }

  overriding(): [string, InboxSettings][] {
    return [...this.#overriding];
  }

  /** Stores an inbox's settings, then takes them; false (and nothing changes) when the inbox does not exist. */
  async save(name: string, settings: InboxSettings): Promise<boolean> {
    if (!(await this.#store.saveSettings(name, settings))) return false;
    this.#remember(name, settings);
    this.#bus.emit('inbox.settings', { inbox: name });
    return true;
  }

  /** The store renamed an inbox, its settings with it. */
  renamed(from: string, to: string): void {
    const settings = this.#overriding.get(from);
    this.#overriding.delete(from);
    if (settings) this.#overriding.set(to, settings);
    this.#bus.emit('inbox.settings', { inbox: from });
    this.#bus.emit('inbox.settings', { inbox: to });
  }

  /** The store deleted an inbox, its settings with it. */
  dropped(name: string): void {
    if (this.#overriding.delete(name)) this.#bus.emit('inbox.settings', { inbox: name });
  }

  #remember(name: string, settings: InboxSettings): void {
    if (hasNoOverrides(settings)) this.#overriding.delete(name);
    else this.#overriding.set(name, structuredClone(settings));
  }
}
