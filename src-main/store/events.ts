import type { Database, Statement } from 'better-sqlite3';
import type {
  Classification,
  EventsResponse,
  MessageTracking,
  TokenKind,
  TrackingCounts,
  TrackingEvent,
} from '../api/types.js';
import type { CommitQueue } from './commit-queue.js';
import { MultiRowInsert } from './multi-insert.js';

/** A hit as the tracking server saw it, before it has a row id. */
export interface NewTrackingEvent {
  kind: TokenKind;
  url: string;
  metadata: Record<string, string>;
  remote_ip: string;
  ua: string;
  /** Unix nanoseconds of the hit. */
  ts: bigint;
  token_id: string;
  message_id: string;
  classification: Classification;
  method: string;
}

export interface EventQuery {
  kind?: TokenKind;
  classification?: Classification;
  /** Only hits at or after this unix-nanosecond time. */
  since?: bigint;
  messageId?: string;
  limit?: number;
  offset?: number;
}

/** Page size when a caller gives none, and the most one page may hold. */
export const DEFAULT_EVENTS_LIMIT = 50;
export const MAX_EVENTS_LIMIT = 1_000;

interface EventRow {
  id: bigint;
  kind: string;
  url: string;
  metadata: string;
  remote_ip: string;
  ua: string;
  ts: bigint;
  token_id: string;
  message_id: string;
  classification: string;
  method: string;
}

/**
 * Tracking events in SQLite. Every hit is its own row. Counts include human, proxy and scanner hits alike (the
 * classification tells them apart) and leave out `expired` hits, which are not opens or clicks (docs/TRACKING.md, "Tokens");
 * "unique" opens and clicks are distinct token ids. The store publishes nothing: the tracking server emits on the bus.
 */
export class EventStore {
  private readonly select: Statement;
  private readonly count: Statement;
  private readonly counts: Statement;
  private readonly stats: Statement;
  private readonly unsubscribed: Statement;

  /** Hits go in with multi-row INSERTs (see MultiRowInsert); their ids follow from the last one. */
  private readonly insert: MultiRowInsert<NewTrackingEvent>;
  /** The last hit's time, to reuse its ISO text for the hits of the same millisecond. */
  private lastMs = NaN;
  private lastIso = '';

  private readonly recordAll: (events: NewTrackingEvent[]) => TrackingEvent[];
  /** The database's shared commit (see CommitQueue), which the tracking server writes its hits in. */
  readonly commits: CommitQueue;

  constructor(
    private readonly db: Database,
    commits: CommitQueue,
  ) {
    this.commits = commits;
    const where = `WHERE (@kind IS NULL OR kind = @kind)
         AND (@classification IS NULL OR classification = @classification)
         AND (@since IS NULL OR ts >= @since)
         AND (@messageId IS NULL OR message_id = @messageId)`;
    this.select = db
      .prepare(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .safeIntegers(true);
    this.count = db.prepare(`SELECT COUNT(*) AS n FROM events ${where}`).pluck();
    this.counts = db.prepare(
      `SELECT message_id, kind, COUNT(*) AS total, COUNT(DISTINCT token_id) AS uniq
       FROM events
       WHERE message_id IN (SELECT value FROM json_each(?)) AND classification != 'expired'
       GROUP BY message_id, kind`,
    );
    // Per token (one per link occurrence, plus pixel and unsubscribe): every hit, and distinct clients (IP + UA),
    // since a single token's distinct-token count would always be 1.
    this.stats = db
      .prepare(
        `SELECT token_id, COUNT(*) AS total, COUNT(DISTINCT remote_ip || char(0) || ua) AS uniq, MAX(ts) AS last
         FROM events WHERE message_id = ? AND classification != 'expired' GROUP BY token_id`,
      )
      .safeIntegers(true);
    this.unsubscribed = db
      .prepare(
        `SELECT 1 FROM events WHERE token_id = ? AND kind = 'unsub' AND classification != 'expired' LIMIT 1`,
      )
      .pluck();
    this.insert = new MultiRowInsert(
      db,
      'events',
      [
        'kind',
        'url',
        'metadata',
        'remote_ip',
        'ua',
        'ts',
        'token_id',
        'message_id',
        'classification',
        'method',
      ],
      (e, params, at) => {
        params[at] = e.kind;
        params[at + 1] = e.url;
        params[at + 2] = JSON.stringify(e.metadata);
        params[at + 3] = e.remote_ip;
        params[at + 4] = e.ua;
        params[at + 5] = e.ts;
        params[at + 6] = e.token_id;
        params[at + 7] = e.message_id;
        params[at + 8] = e.classification;
        params[at + 9] = e.method;
      },
    );
    this.recordAll = db.transaction((events: NewTrackingEvent[]) => this.insertAll(events));
  }

  /**
   * Stores many hits in one transaction (one WAL commit instead of one per hit), in order. The events take
   * ownership of their `metadata` objects.
   */
  recordMany(events: NewTrackingEvent[]): TrackingEvent[] {
    return this.recordAll(events);
  }

  private insertAll(events: NewTrackingEvent[]): TrackingEvent[] {
    const out: TrackingEvent[] = new Array(events.length);
    this.insert.run(events, (first, count, last) => {
      for (let i = 0; i < count; i++) out[first + i] = this.toEvent(events[first + i]!, last - count + 1 + i);
    });
    return out;
  }

  private toEvent(e: NewTrackingEvent, id: number): TrackingEvent {
    return {
      id,
      kind: e.kind,
      url: e.url,
      metadata: e.metadata,
      remote_ip: e.remote_ip,
      ua: e.ua,
      ts: e.ts.toString(),
      time: this.isoOf(e.ts),
      token_id: e.token_id,
      message_id: e.message_id,
      classification: e.classification,
      method: e.method,
    };
  }

  /** Hits come in bursts, many in the same millisecond; formatting the date once per millisecond is enough. */
  private isoOf(ns: bigint): string {
    const ms = Number(ns / 1_000_000n);
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** True once an unsubscribe for this token has been recorded, so a repeated one-click POST changes nothing. */
  hasUnsubscribe(tokenId: string): boolean {
    return this.unsubscribed.get(tokenId) !== undefined;
  }

  list(query: EventQuery = {}): EventsResponse {
    const params = {
      kind: query.kind ?? null,
      classification: query.classification ?? null,
      since: query.since ?? null,
      messageId: query.messageId ?? null,
    };
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_EVENTS_LIMIT), 0), MAX_EVENTS_LIMIT);
    const offset = Math.max(Math.trunc(query.offset ?? 0), 0);
    const total = this.count.get(params) as number;
    const rows = this.select.all({ ...params, limit, offset }) as EventRow[];
    return { total, events: rows.map(toApi) };
  }

  countsFor(messageIds: string[]): Map<string, TrackingCounts> {
    const out = new Map<string, TrackingCounts>();
    for (const id of messageIds) out.set(id, emptyCounts());
    if (messageIds.length === 0) return out;
    const rows = this.counts.all(JSON.stringify(messageIds)) as {
      message_id: string;
      kind: string;
      total: number;
      uniq: number;
    }[];
    for (const row of rows) {
      const c = out.get(row.message_id);
      if (!c) continue;
      if (row.kind === 'open') {
        c.opens = row.total;
        c.uniqueOpens = row.uniq;
      } else if (row.kind === 'click') {
        c.clicks = row.total;
        c.uniqueClicks = row.uniq;
      } else if (row.kind === 'unsub') {
        c.unsubscribed = row.total > 0;
      }
    }
    return out;
  }

  statsFor(messageId: string): MessageTracking['stats'] {
    const out: MessageTracking['stats'] = {};
    const rows = this.stats.all(messageId) as {
      token_id: string;
      total: bigint;
      uniq: bigint;
      last: bigint;
    }[];
    for (const row of rows) {
      out[row.token_id] = { total: Number(row.total), unique: Number(row.uniq), last: nsToIso(row.last) };
    }
    return out;
  }
}

export function emptyCounts(): TrackingCounts {
  return { opens: 0, uniqueOpens: 0, clicks: 0, uniqueClicks: 0, unsubscribed: false };
}

function nsToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

function toApi(row: EventRow): TrackingEvent {
  let metadata: Record<string, string> = {};
  try {
    metadata = JSON.parse(row.metadata) as Record<string, string>;
  } catch {
    // a row written by hand or by an older build; show it without metadata rather than fail the whole page
  }
  return {
    id: Number(row.id),
    kind: row.kind as TokenKind,
    url: row.url,
    metadata,
    remote_ip: row.remote_ip,
    ua: row.ua,
    ts: row.ts.toString(),
    time: nsToIso(row.ts),
    token_id: row.token_id,
    message_id: row.message_id,
    classification: row.classification as Classification,
    method: row.method,
  };
}
