// The hub's updates as the hub and the store's `hub_history` table share them.

/** One update as the hub stores and dispatches it. */
export interface HubUpdate {
  /** The SSE `id`: the publisher's, or a generated `urn:uuid:`. */
  id: string;
  /** First is canonical, the rest are alternates; an update reaches subscribers of any of them. */
  topics: string[];
  data: string;
  private: boolean;
  /** The SSE `event` field. */
  type?: string;
  /** The SSE `retry` field, in milliseconds. */
  retry?: number;
}

/**
 * The bounded, durable log of past updates (store/hub-history.ts), which the hub's Last-Event-ID replay reads. The
 * hub keeps the rules (ids it refuses, what `earliest` means); this keeps the rows.
 */
export interface HubHistoryRows {
  /** Whether an update with this id is kept (written or waiting to be); false when nothing is kept. */
  has(id: string): boolean;
  /** Keeps an update, dropping the oldest beyond the bound once written. */
  append(update: HubUpdate): void;
  /** Writes the updates appended since the last flush. */
  flush(): void;
  /**
   * A reader of the updates after the one with id `after` (all of them when undefined), oldest first, up to `max` a
   * call, that ends at the newest update of now; undefined when `after` is not (or no longer) kept.
   */
  after(after: string | undefined): ((max: number) => HubUpdate[]) | undefined;
  /** The id of the newest update kept. */
  newestId(): string | undefined;
}
