import type { Database, Statement } from 'better-sqlite3';
import type {
  Classification,
  EventsResponse,
  MessageTracking,
  TokenKind,
  TrackingCounts,
  TrackingEvent,
  TrackingSource,
  TrackingSummary,
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
  source: TrackingSource;
  /** Who the hit counts as for "unique" (see clientKey). */
  client: string;
}

export interface EventQuery {
  kind?: TokenKind;
  classification?: Classification;
  source?: TrackingSource;
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
  source: string;
}

/** Which hits a rate or a chart counts: by default a recipient's people, nothing else. */
export interface CountFilter {
  /** '' = every classification but `expired`. */
  classification: Classification | '';
  /** '' = both. */
  source: TrackingSource | '';
  since?: bigint;
}

export const DEFAULT_COUNT_FILTER: CountFilter = { classification: 'human', source: 'recipient' };

/**
 * Tracking events in SQLite. Every hit is its own row. A mail's counts are a recipient's human hits, with machine
 * (proxy, scanner) and sandbox hits counted beside them; `expired` hits are never opens or clicks (docs/TRACKING.md).
 * "Unique" is distinct (token, client), the client being IP + user agent or Apple's proxy as one (see clientKey).
 * The store publishes nothing: the tracking server emits on the bus.
 */
export class EventStore {
  private readonly select: Statement;
  private readonly count: Statement;
  private readonly counts: Statement;
  private readonly stats: Statement;
  private readonly unsubscribed: Statement;
  private readonly subjects: Statement;

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
         AND (@source IS NULL OR source = @source)
         AND (@since IS NULL OR ts >= @since)
         AND (@messageId IS NULL OR message_id = @messageId)`;
    this.select = db
      .prepare(`SELECT * FROM events ${where} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .safeIntegers(true);
    this.count = db.prepare(`SELECT COUNT(*) AS n FROM events ${where}`).pluck();
    this.counts = db.prepare(
      `SELECT message_id, kind, classification, source, COUNT(*) AS total,
              COUNT(DISTINCT token_id || char(0) || client) AS uniq
       FROM events
       WHERE message_id IN (SELECT value FROM json_each(?)) AND classification != 'expired'
       GROUP BY message_id, kind, classification, source`,
    );
    // Per token (one per link occurrence, plus pixel and unsubscribe), for the filter: every hit, and distinct
    // clients, since a single token's distinct-token count would always be 1.
    this.stats = db
      .prepare(
        `SELECT token_id, COUNT(*) AS total, COUNT(DISTINCT client) AS uniq, MAX(ts) AS last
         FROM events WHERE message_id = @messageId AND classification != 'expired'
           AND (@classification IS NULL OR classification = @classification)
           AND (@source IS NULL OR source = @source)
         GROUP BY token_id`,
      )
      .safeIntegers(true);
    this.unsubscribed = db
      .prepare(
        `SELECT 1 FROM events
         WHERE token_id = ? AND kind = 'unsub' AND source = ? AND classification != 'expired' LIMIT 1`,
      )
      .pluck();
    this.subjects = db.prepare(
      `SELECT id, subject FROM messages WHERE id IN (SELECT value FROM json_each(?))`,
    );
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
        'source',
        'client',
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
        params[at + 10] = e.source;
        params[at + 11] = e.client;
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
      source: e.source,
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

  /**
   * True once an unsubscribe for this token has been recorded from this source, so a repeated one-click POST changes
   * nothing (and a simulated one does not hide a recipient's).
   */
  hasUnsubscribe(tokenId: string, source: TrackingSource = 'recipient'): boolean {
    return this.unsubscribed.get(tokenId, source) !== undefined;
  }

  list(query: EventQuery = {}): EventsResponse {
    const params = {
      kind: query.kind ?? null,
      classification: query.classification ?? null,
      source: query.source ?? null,
      since: query.since ?? null,
      messageId: query.messageId ?? null,
    };
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_EVENTS_LIMIT), 0), MAX_EVENTS_LIMIT);
    const offset = Math.max(Math.trunc(query.offset ?? 0), 0);
    const total = this.count.get(params) as number;
    const rows = this.select.all({ ...params, limit, offset }) as EventRow[];
    const events = rows.map(toApi);
    return { total, events, subjects: this.subjectsOf(events.map((e) => e.message_id)) };
  }

  /** The subjects of the given mails (those still stored), by id. */
  subjectsOf(messageIds: string[]): Record<string, string> {
    const ids = [...new Set(messageIds.filter(Boolean))];
    const out: Record<string, string> = {};
    if (ids.length === 0) return out;
    for (const row of this.subjects.all(JSON.stringify(ids)) as { id: string; subject: string }[]) {
      out[row.id] = row.subject;
    }
    return out;
  }

  /** Rates and the per-mail ranking (the mails with the most events that pass the filter). */
  summary(filter: CountFilter = DEFAULT_COUNT_FILTER, perMail = 12): TrackingSummary {
    const params = {
      classification: filter.classification || null,
      source: filter.source || null,
      since: filter.since ?? null,
      limit: perMail,
    };
    const where = `classification != 'expired'
      AND (@classification IS NULL OR classification = @classification)
      AND (@source IS NULL OR source = @source)
      AND (@since IS NULL OR ts >= @since)`;
    const mailsWith = this.db
      .prepare(
        `SELECT kind, COUNT(DISTINCT message_id) AS n FROM events WHERE ${where} AND message_id != '' GROUP BY kind`,
      )
      .all(params) as { kind: string; n: number }[];
    const n = (kind: string) => mailsWith.find((r) => r.kind === kind)?.n ?? 0;
    const beside = this.db
      .prepare(
        `SELECT
           SUM(source = 'recipient' AND classification IN ('proxy', 'scanner')) AS machine,
           SUM(source = 'sandbox') AS sandbox
         FROM events WHERE classification != 'expired' AND (@since IS NULL OR ts >= @since)`,
      )
      .get({ since: params.since }) as { machine: number | null; sandbox: number | null };
    const perMailRows = this.db
      .prepare(
        `SELECT e.message_id AS id, COALESCE(m.subject, '') AS subject,
                SUM(e.kind = 'open') AS opens, SUM(e.kind = 'click') AS clicks, SUM(e.kind = 'unsub') AS unsubs
         FROM events e JOIN messages m ON m.id = e.message_id
         WHERE e.classification != 'expired'
           AND (@classification IS NULL OR e.classification = @classification)
           AND (@source IS NULL OR e.source = @source)
           AND (@since IS NULL OR e.ts >= @since)
         GROUP BY e.message_id ORDER BY COUNT(*) DESC, MAX(e.id) DESC LIMIT @limit`,
      )
      .all(params) as TrackingSummary['perMail'];
    const mails = this.db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;
    return {
      mails,
      opened: n('open'),
      clicked: n('click'),
      unsubscribed: n('unsub'),
      machine: beside.machine ?? 0,
      sandbox: beside.sandbox ?? 0,
      perMail: perMailRows,
    };
  }

  countsFor(messageIds: string[]): Map<string, TrackingCounts> {
    const out = new Map<string, TrackingCounts>();
    for (const id of messageIds) out.set(id, emptyCounts());
    if (messageIds.length === 0) return out;
    const rows = this.counts.all(JSON.stringify(messageIds)) as {
      message_id: string;
      kind: string;
      classification: string;
      source: string;
      total: number;
      uniq: number;
    }[];
    for (const row of rows) {
      const c = out.get(row.message_id);
      if (!c) continue;
      if (row.source === 'sandbox') {
        if (row.kind === 'open') c.sandbox.opens += row.total;
        else if (row.kind === 'click') c.sandbox.clicks += row.total;
        else if (row.kind === 'unsub') c.sandbox.unsubscribed = true;
      } else if (row.classification !== 'human') {
        if (row.kind === 'open') c.machine.opens += row.total;
        else if (row.kind === 'click') c.machine.clicks += row.total;
      } else if (row.kind === 'open') {
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

  /** Per token of a mail: hits and distinct clients that pass the filter (by default a recipient's people). */
  statsFor(messageId: string, filter: CountFilter = DEFAULT_COUNT_FILTER): MessageTracking['stats'] {
    const out: MessageTracking['stats'] = {};
    const rows = this.stats.all({
      messageId,
      classification: filter.classification || null,
      source: filter.source || null,
    }) as {
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
  return {
    opens: 0,
    uniqueOpens: 0,
    clicks: 0,
    uniqueClicks: 0,
    unsubscribed: false,
    machine: { opens: 0, clicks: 0 },
    sandbox: { opens: 0, clicks: 0, unsubscribed: false },
  };
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
    source: row.source === 'sandbox' ? 'sandbox' : 'recipient',
  };
}
