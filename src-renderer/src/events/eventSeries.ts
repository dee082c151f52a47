// Events grouped for the chart: opens and clicks per time bucket, machine hits (proxies, scanners) kept apart so
// the human signal is not drowned by Apple's prefetching or a link scanner.
import { roleOf, type CountScope, type TrackingEvent } from '../../../src-main/wire/types';
import type { TimeRange } from './eventFilter';

export interface SeriesPoint {
  /** Bucket start, ms since epoch. */
  t: number;
  opens: number;
  clicks: number;
  unsubs: number;
  machine: number;
}

/** Bucket sizes that give a readable number of bars for each range (60 per hour, 24 per day, 28 per week). */
export const BUCKET_MS: Record<TimeRange, number> = {
  hour: 60_000,
  day: 3_600_000,
  week: 6 * 3_600_000,
  all: 3_600_000,
};

/** A chart wider than this many buckets turns into noise; "all" falls back to coarser buckets. */
const MAX_BUCKETS = 200;

export function bucketSize(range: TimeRange, events: TrackingEvent[]): number {
  let size = BUCKET_MS[range];
  if (range !== 'all' || events.length === 0) return size;
  const times = events.map((e) => Date.parse(e.time)).filter((t) => !Number.isNaN(t));
  const span = Math.max(...times) - Math.min(...times);
  while (span / size > MAX_BUCKETS) size *= 2;
  return size;
}

/**
 * Points for every bucket between the first and last counted event, so empty hours show as zero, not as a gap.
 * What a bar counts is the one definition (roleOf) under the scope: the preview's hits (and simulated ones with
 * real recipients only) are not charted, machine hits stack apart.
 */
export function eventSeries(
  events: TrackingEvent[],
  size: number,
  scope: CountScope = 'with-simulated',
): SeriesPoint[] {
  const buckets = new Map<number, SeriesPoint>();
  let min = Infinity;
  let max = -Infinity;
  for (const e of events) {
    const time = Date.parse(e.time);
    if (Number.isNaN(time)) continue;
    const role = roleOf({ source: e.source ?? 'recipient', classification: e.classification }, scope);
    if (role !== 'counted' && role !== 'machine') continue;
    const t = Math.floor(time / size) * size;
    min = Math.min(min, t);
    max = Math.max(max, t);
    const p = buckets.get(t) ?? { t, opens: 0, clicks: 0, unsubs: 0, machine: 0 };
    if (role === 'machine') p.machine++;
    else if (e.kind === 'open') p.opens++;
    else if (e.kind === 'click') p.clicks++;
    else p.unsubs++;
    buckets.set(t, p);
  }
  if (min === Infinity) return [];
  const out: SeriesPoint[] = [];
  for (let t = min; t <= max && out.length <= MAX_BUCKETS * 2; t += size) {
    out.push(buckets.get(t) ?? { t, opens: 0, clicks: 0, unsubs: 0, machine: 0 });
  }
  return out;
}

export interface Rates {
  total: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
}

/** Share of mails with at least one open (or click), as a percentage with no decimals; 0 of 0 is 0 %. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${Math.round((100 * part) / whole)} %`;
}
