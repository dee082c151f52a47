// Turns hub updates into cache changes: small facts (read flags, a new event) are written into the cache directly,
// anything that moves rows around (new or deleted mail) refetches the pages on screen.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type {
  EventsResponse,
  EventUpdate,
  MessagesSummary,
  MessageUpdate,
  RelayEntry,
  TrackingEvent,
} from '../../../src-main/wire/types';
import { queryKeys } from '../api/queryKeys';
import { matchesEventFilter, type EventFilter } from '../events/eventFilter';

export type HubUpdate = MessageUpdate | EventUpdate;

/**
 * A burst of mail (a test suite sending 1,000 mails) would otherwise refetch the visible pages 1,000 times;
 * refetches are coalesced to at most one per key in this window.
 */
const COALESCE_MS = 250;

export class CacheUpdater {
  private readonly client: QueryClient;
  private readonly pending = new Map<string, QueryKey>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<(update: HubUpdate) => void>();

  constructor(client: QueryClient) {
    this.client = client;
  }

  /** Components that react to updates themselves (the inbox moving its selection off a deleted mail). */
  subscribe(listener: (update: HubUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(data: unknown): void {
    if (!isHubUpdate(data)) return;
    switch (data.type) {
      case 'created':
        this.refresh(queryKeys.messagesAll);
        this.refresh(queryKeys.info);
        this.refresh(queryKeys.stats);
        break;
      case 'read':
        this.setReadFlags(data.ids, data.read);
        this.refresh(queryKeys.info);
        break;
      case 'deleted':
        if (data.ids === 'all') this.client.removeQueries({ queryKey: ['message'] });
        else for (const id of data.ids) this.client.removeQueries({ queryKey: queryKeys.message(id) });
        this.refresh(queryKeys.messagesAll);
        this.refresh(queryKeys.info);
        this.refresh(queryKeys.stats);
        break;
      case 'tags':
        // Open mails show their tags; their GET would mark them read, but an open mail is read already.
        for (const id of data.ids) this.refresh(queryKeys.message(id));
        this.refresh(queryKeys.messagesAll);
        this.refresh(queryKeys.info);
        break;
      case 'relay':
        this.upsertRelayEntry(data.entry);
        break;
      case 'event':
        this.addEvent(data.event);
        // The Tracking tab's per-link stats. The mail itself is not refetched: its GET marks it read.
        this.refresh(queryKeys.tracking(data.event.message_id));
        this.refresh(queryKeys.messagesAll);
        this.refresh(queryKeys.stats);
        break;
    }
    for (const listener of this.listeners) listener(data);
  }

  /** After a reconnect: whatever we missed, the next render shows the truth. */
  resync(): void {
    // Everything but the open mails themselves, whose GET would mark them read again; a mail that failed to load
    // while the link was down is fetched again, so its pane recovers without a click on Retry.
    void this.client.invalidateQueries({
      predicate: (q) =>
        !(q.queryKey.length === 2 && q.queryKey[0] === 'message') || q.state.status === 'error',
    });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private refresh(key: QueryKey): void {
    this.pending.set(JSON.stringify(key), key);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const keys = [...this.pending.values()];
      this.pending.clear();
      for (const queryKey of keys) void this.client.invalidateQueries({ queryKey });
    }, COALESCE_MS);
  }

  private setReadFlags(ids: string[], read: boolean): void {
    setReadInCache(this.client, ids, read);
    // A search such as `is:unread` changes membership, not just a flag.
    this.refresh(queryKeys.messagesAll);
  }

  private addEvent(event: TrackingEvent): void {
    const prepend = (res: EventsResponse | undefined): EventsResponse | undefined => {
      if (!res || res.events.some((e) => e.id === event.id)) return res;
      return { ...res, total: res.total + 1, events: [event, ...res.events] };
    };
    this.client.setQueryData<EventsResponse>(queryKeys.messageEvents(event.message_id), prepend);
    for (const query of this.client.getQueryCache().findAll({ queryKey: queryKeys.eventsAll })) {
      const filter = query.queryKey[1] as EventFilter | undefined;
      if (filter && matchesEventFilter(event, filter)) {
        this.client.setQueryData<EventsResponse>(query.queryKey, prepend);
      }
    }
  }

  private upsertRelayEntry(entry: RelayEntry): void {
    this.client.setQueryData<{ entries: RelayEntry[] } & Record<string, unknown>>(queryKeys.relay, (res) => {
      if (!res) return res;
      const others = res.entries.filter((e) => e.id !== entry.id);
      return { ...res, entries: [entry, ...others].sort((a, b) => b.id - a.id) };
    });
    this.refresh(queryKeys.relay);
  }
}

/** Flips read flags in every cached list page; also used right after our own PUT so the row changes at once. */
export function setReadInCache(client: QueryClient, ids: string[], read: boolean): void {
  const all = ids.length === 0;
  const wanted = new Set(ids);
  client.setQueriesData<MessagesSummary>({ queryKey: queryKeys.messagesAll }, (page) =>
    page && Array.isArray(page.messages)
      ? { ...page, messages: page.messages.map((m) => (all || wanted.has(m.ID) ? { ...m, Read: read } : m)) }
      : page,
  );
}

function isHubUpdate(data: unknown): data is HubUpdate {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}
