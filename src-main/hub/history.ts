import type { HubHistoryRows } from '../model/hub-update.js';
import { UpdateError, type Update } from './update.js';

/** The reserved Last-Event-ID value: "everything you have", and the answer when the hub cannot say more. */
export const EARLIEST = 'earliest';

/**
 * The updates after a given one, read in batches so that a replay never holds the whole history in memory.
 * It ends at the newest update at the time it was opened: later ones reach the subscriber live.
 */
export interface ReplayCursor {
  /** False when the requested id is not (or no longer) in the history: updates may have been missed. */
  readonly found: boolean;
  /** Up to `max` further updates, oldest first; an empty array at the end. */
  read(max: number): Update[];
}

/** The bounded log of past updates that Last-Event-ID reconciliation replays from. */
export interface UpdateHistory {
  /**
   * Records an update, dropping the oldest beyond the bound; an id already recorded is a 409, which is only looked
   * for when the id is not one the hub generated.
   */
  append(update: Update, generatedId?: boolean): void;
  /** A cursor over the updates after `lastEventId` (all of them for 'earliest'). */
  after(lastEventId: string): ReplayCursor;
  /** The id of the newest update, or 'earliest' when there is none. */
  lastEventId(): string;
  /** Makes every appended update durable (histories that write lazily). */
  flush?(): void;
}

const duplicate = (id: string) =>
  new UpdateError(`[hub] an update with id "${id}" was already published`, 409);

const NOTHING: ReplayCursor = { found: false, read: () => [] };

/** The history when the hub runs without a database (tests, embedding). */
export class MemoryHistory implements UpdateHistory {
  // Sequence numbers, as in the table: a cursor stays valid while older entries are pruned under it.
  private readonly entries: { seq: number; update: Update }[] = [];
  private readonly seqs = new Map<string, number>();
  private nextSeq = 1;

  constructor(private readonly size: number) {}

  append(update: Update, generatedId = false): void {
    if (this.size <= 0) return;
    if (!generatedId && this.seqs.has(update.id)) throw duplicate(update.id);
    const seq = this.nextSeq++;
    this.entries.push({ seq, update });
    this.seqs.set(update.id, seq);
    if (this.entries.length > this.size) {
      for (const old of this.entries.splice(0, this.entries.length - this.size))
        this.seqs.delete(old.update.id);
    }
  }

  after(lastEventId: string): ReplayCursor {
    let position = 0;
    if (lastEventId !== EARLIEST) {
      const seq = this.seqs.get(lastEventId);
      if (seq === undefined) return NOTHING;
      position = seq;
    }
    const end = this.nextSeq - 1;
    return {
      found: true,
      read: (max) => {
        // Entries are ordered by seq: find the first one after the position by bisection.
        let lo = 0;
        let hi = this.entries.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.entries[mid]!.seq <= position) lo = mid + 1;
          else hi = mid;
        }
        const batch = this.entries.slice(lo, lo + max).filter((e) => e.seq <= end);
        if (batch.length > 0) position = batch.at(-1)!.seq;
        return batch.map((e) => e.update);
      },
    };
  }

  lastEventId(): string {
    return this.entries.at(-1)?.update.id ?? EARLIEST;
  }
}

/** The history in the store's `hub_history` table (store/hub-history.ts), so a restarted hub still answers Last-Event-ID. */
export class StoredHistory implements UpdateHistory {
  constructor(private readonly rows: HubHistoryRows) {}

  append(update: Update, generatedId = false): void {
    if (!generatedId && this.rows.has(update.id)) throw duplicate(update.id);
    this.rows.append(update);
  }

  after(lastEventId: string): ReplayCursor {
    const read = this.rows.after(lastEventId === EARLIEST ? undefined : lastEventId);
    return read ? { found: true, read } : NOTHING;
  }

  lastEventId(): string {
    return this.rows.newestId() ?? EARLIEST;
  }

  flush(): void {
    this.rows.flush();
  }
}
