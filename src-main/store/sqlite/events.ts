import type { Database, Statement } from 'better-sqlite3';
import { DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT, type EventStore } from '../contract.js';
import type {
  Classification,
  EventsResponse,
  MessageTracking,
  TokenKind,
  TrackingEvent,
  TrackingSource,
  TrackingSummary,
} from '../../model/tracking.js';
import type { HitCounts, TrackingCounts } from '../../model/message.js';
import { countedSql, DEFAULT_COUNT_SCOPE, machineSql, roleOf, storedSource } from '../../model/counting.js';
import { emptyCounts } from '../../model/message.js';
import type { CommitQueue } from './commit-queue.js';
import { ALL_INBOXES, scopeSqlLiteral, type InboxScope } from '../../model/inbox.js';
import { MultiRowInsert } from './multi-insert.js';
import type { CountFilter, EventQuery, NewTrackingEvent, RecordOptions } from '../event-rows.js';

export type { CountFilter, EventQuery, NewTrackingEvent, RecordOptions } from '../event-rows.js';

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
  inbox: string;
}

export const DEFAULT_COUNT_FILTER: CountFilter = { scope: DEFAULT_COUNT_SCOPE };

/** The SQL condition of a CountFilter over events (`alias` with its dot); its values are constants, checked. */
function countFilterSql(filter: CountFilter, alias = ''): string {
  if (!filter.classifications && !filter.sources) return countedSql(filter.scope, alias);
  const quote = (values: string[]) => values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
  const parts = [`${alias}classification != 'expired'`];
  if (filter.classifications) parts.push(`${alias}classification IN (${quote(filter.classifications)})`);
  if (filter.sources) parts.push(`${alias}source IN (${quote(filter.sources)})`);
  return `(${parts.join(' AND ')})`;
}

/**
 * Tracking events in SQLite. Every hit is its own row. What a figure counts is model/counting.ts's one definition:
 * people's hits from recipients and simulated recipients, machine (proxy, scanner) hits beside them, the preview's
 * apart, `expired` hits nowhere (docs/TRACKING.md).
 * "Unique" is distinct (token, client), the client being IP + user agent or Apple's proxy as one (see clientKey).
 * The store publishes nothing: the tracking server emits on the bus.
 */
export class SqliteEventStore implements EventStore {
  private readonly select: Statement;
  private readonly count: Statement;
  private readonly counts: Statement;
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
         AND (@classifications IS NULL OR classification IN (SELECT value FROM json_each(@classifications)))
         AND (@sources IS NULL OR source IN (SELECT value FROM json_each(@sources)))
         AND (@since IS NULL OR ts >= @since)
         AND (@messageId IS NULL OR message_id = @messageId)
         AND (@inboxIn IS NULL OR inbox IN (SELECT value FROM json_each(@inboxIn)))
         AND (@inboxOut IS NULL OR inbox NOT IN (SELECT value FROM json_each(@inboxOut)))`;
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
        'inbox',
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
        params[at + 12] = e.message_id;
      },
      // The hit's inbox is its mail's, as the events_inbox trigger sets it; computed here too so the INSERT returns it.
      {
        values: { inbox: `coalesce((SELECT inbox FROM messages WHERE id = ?), 'default')` },
        returning: 'id, inbox',
      },
    );
    this.recordAll = db.transaction((events: NewTrackingEvent[]) => this.insertAll(events));
  }

  /**
   * Stores many hits in one transaction (one WAL commit instead of one per hit), in order. The events take
   * ownership of their `metadata` objects.
   */
  recordMany(events: NewTrackingEvent[], options: RecordOptions = {}): TrackingEvent[] {
    return this.recordAll(options.unsubscribeOnce ? this.#firstUnsubscribes(events) : events);
  }

  /** The events but an unsubscribe whose token has one from the same source already, stored or earlier here. */
  #firstUnsubscribes(events: NewTrackingEvent[]): NewTrackingEvent[] {
    const seen = new Set<string>();
    return events.filter((e) => {
      if (e.kind !== 'unsub') return true;
      const key = `${e.source} ${e.token_id}`;
      if (seen.has(key) || this.unsubscribed.get(e.token_id, e.source) !== undefined) return false;
      seen.add(key);
      return true;
    });
  }

  private insertAll(events: NewTrackingEvent[]): TrackingEvent[] {
    const out: TrackingEvent[] = new Array(events.length);
    this.insert.runReturning<{ id: number; inbox: string }>(events, (first, rows) => {
      // One statement's rows have consecutive ids in the order given; RETURNING may list them in any order.
      let low = Infinity;
      for (const row of rows) low = Math.min(low, row.id);
      for (const row of rows) {
        const at = first + row.id - low;
        out[at] = this.toEvent(events[at]!, row.id, row.inbox);
      }
    });
    return out;
  }

  private toEvent(e: NewTrackingEvent, id: number, inbox: string): TrackingEvent {
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
      inbox,
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
  async hasUnsubscribe(tokenId: string, source: TrackingSource = 'recipient'): Promise<boolean> {
    return this.unsubscribed.get(tokenId, source) !== undefined;
  }

  async list(query: EventQuery = {}): Promise<EventsResponse> {
    const scope = query.scope ?? ALL_INBOXES;
    const params = {
      inboxIn: scope.kind === 'inbox' ? JSON.stringify([scope.name]) : null,
      inboxOut: scope.kind === 'except' ? JSON.stringify(scope.hidden) : null,
      kind: query.kind ?? null,
      classifications: query.classifications ? JSON.stringify(query.classifications) : null,
      sources: query.sources ? JSON.stringify(query.sources) : null,
      since: query.since ?? null,
      messageId: query.messageId ?? null,
    };
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_EVENTS_LIMIT), 0), MAX_EVENTS_LIMIT);
    const offset = Math.max(Math.trunc(query.offset ?? 0), 0);
    const total = this.count.get(params) as number;
    const rows = this.select.all({ ...params, limit, offset }) as EventRow[];
    const events = rows.map(toApi);
    return { total, events, subjects: this.#subjectsOf(events.map((e) => e.message_id)) };
  }

  /** The subjects of the given mails (those still stored), by id. */
  async subjectsOf(messageIds: string[]): Promise<Record<string, string>> {
    return this.#subjectsOf(messageIds);
  }

  #subjectsOf(messageIds: string[]): Record<string, string> {
    const ids = [...new Set(messageIds.filter(Boolean))];
    const out: Record<string, string> = {};
    if (ids.length === 0) return out;
    for (const row of this.subjects.all(JSON.stringify(ids)) as { id: string; subject: string }[]) {
      out[row.id] = row.subject;
    }
    return out;
  }

  /** Rates and the per-mail ranking (the mails with the most events that pass the filter). */
  async summary(
    filter: CountFilter = DEFAULT_COUNT_FILTER,
    perMail = 12,
    scope: InboxScope = ALL_INBOXES,
  ): Promise<TrackingSummary> {
    const params = { since: filter.since ?? null, limit: perMail };
    const inEvents = scopeSqlLiteral(scope, 'inbox');
    const where = `${countFilterSql(filter)} AND (@since IS NULL OR ts >= @since) AND ${inEvents}`;
    const mailsWith = this.db
      .prepare(
        `SELECT kind, source, COUNT(DISTINCT message_id) AS n FROM events
         WHERE ${where} AND message_id != '' GROUP BY kind, source`,
      )
      .all(params) as { kind: string; source: string; n: number }[];
    // Mails, not hits: a mail opened by a recipient and a simulation is one opened mail.
    const opened = this.db
      .prepare(
        `SELECT kind, COUNT(DISTINCT message_id) AS n FROM events
         WHERE ${where} AND message_id != '' GROUP BY kind`,
      )
      .all(params) as { kind: string; n: number }[];
    const n = (kind: string) => opened.find((r) => r.kind === kind)?.n ?? 0;
    const of = (source: string): TrackingSummary['bySource']['recipient'] => {
      const m = (kind: string) =>
        mailsWith.find((r) => r.kind === kind && storedSource(r.source) === source)?.n ?? 0;
      return { opened: m('open'), clicked: m('click'), unsubscribed: m('unsub') };
    };
    const beside = this.db
      .prepare(
        `SELECT
           SUM(${machineSql(filter.scope)}) AS machine,
           SUM(classification != 'expired' AND source = 'simulated' AND ${filter.scope === 'recipients' ? 1 : 0}) AS excluded,
           SUM(classification != 'expired' AND source IN ('preview', 'sandbox')) AS preview
         FROM events WHERE (@since IS NULL OR ts >= @since) AND ${inEvents}`,
      )
      .get({ since: params.since }) as {
      machine: number | null;
      excluded: number | null;
      preview: number | null;
    };
    const perMailRows = this.db
      .prepare(
        `SELECT e.message_id AS id, COALESCE(m.subject, '') AS subject,
                SUM(e.kind = 'open') AS opens, SUM(e.kind = 'click') AS clicks, SUM(e.kind = 'unsub') AS unsubs
         FROM events e JOIN messages m ON m.id = e.message_id
         WHERE ${countFilterSql(filter, 'e.')} AND (@since IS NULL OR e.ts >= @since)
           AND ${scopeSqlLiteral(scope, 'e.inbox')}
         GROUP BY e.message_id ORDER BY COUNT(*) DESC, MAX(e.id) DESC LIMIT @limit`,
      )
      .all(params) as TrackingSummary['perMail'];
    const inMails = scopeSqlLiteral(scope, 'm.inbox');
    const mails = this.db.prepare(`SELECT COUNT(*) FROM messages m WHERE ${inMails}`).pluck().get() as number;
    // The rates' denominators: a plain-text mail carries no pixel and cannot be opened. A manifest that does not
    // read as JSON counts as neither (json_* would fail the whole query).
    const tracked = this.db
      .prepare(
        `SELECT
           SUM(CASE WHEN json_valid(manifest_json) THEN json_type(manifest_json, '$.pixel') = 'object' END) AS pixel,
           SUM(CASE WHEN json_valid(manifest_json) THEN json_array_length(manifest_json, '$.links') > 0 END) AS links
         FROM message_data${scope.kind === 'all' ? '' : ` d JOIN messages m ON m.seq = d.seq WHERE ${inMails}`}`,
      )
      .get() as { pixel: number | null; links: number | null };
    return {
      scope: filter.scope,
      mails,
      withPixel: tracked.pixel ?? 0,
      withLinks: tracked.links ?? 0,
      opened: n('open'),
      clicked: n('click'),
      unsubscribed: n('unsub'),
      bySource: { recipient: of('recipient'), simulated: of('simulated') },
      machine: beside.machine ?? 0,
      excluded: beside.excluded ?? 0,
      preview: beside.preview ?? 0,
      perMail: perMailRows,
    };
  }

  async countsFor(messageIds: string[]): Promise<Map<string, TrackingCounts>> {
    return this.countsForSync(messageIds);
  }

  /** countsFor, for the mail listings of this database (message-reads.ts), which read it inside their own call. */
  countsForSync(messageIds: string[]): Map<string, TrackingCounts> {
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
      const hit = { source: storedSource(row.source), classification: row.classification as Classification };
      if (roleOf(hit) === 'preview') {
        if (row.kind === 'open') c.preview.opens += row.total;
        else if (row.kind === 'click') c.preview.clicks += row.total;
        else if (row.kind === 'unsub') c.preview.unsubscribed = true;
        continue;
      }
      add(c, roleOf(hit, 'with-simulated'), row);
      add(c.recipients, roleOf(hit, 'recipients'), row);
    }
    return out;
  }

  /** Per token of a mail: hits and distinct clients that pass the filter (by default the counted ones). */
  async statsFor(
    messageId: string,
    filter: CountFilter = DEFAULT_COUNT_FILTER,
  ): Promise<MessageTracking['stats']> {
    const out: MessageTracking['stats'] = {};
    // Per token (one per link occurrence, plus pixel and unsubscribe): every hit, and distinct clients, since a
    // single token's distinct-token count would always be 1.
    const rows = this.db
      .prepare(
        `SELECT token_id, COUNT(*) AS total, COUNT(DISTINCT client) AS uniq, MAX(ts) AS last
         FROM events WHERE message_id = ? AND ${countFilterSql(filter)}
         GROUP BY token_id`,
      )
      .safeIntegers(true)
      .all(messageId) as {
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

/** Adds one (kind, classification, source) group of a mail's hits to the counts of a scope. */
function add(c: HitCounts, role: string, row: { kind: string; total: number; uniq: number }): void {
  if (role === 'machine') {
    if (row.kind === 'open') c.machine.opens += row.total;
    else if (row.kind === 'click') c.machine.clicks += row.total;
  } else if (role === 'counted') {
    if (row.kind === 'open') {
      c.opens += row.total;
      c.uniqueOpens += row.uniq;
    } else if (row.kind === 'click') {
      c.clicks += row.total;
      c.uniqueClicks += row.uniq;
    } else if (row.kind === 'unsub') {
      c.unsubscribed ||= row.total > 0;
    }
  }
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
    source: storedSource(row.source),
    inbox: row.inbox,
  };
}
