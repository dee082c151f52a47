// The one definition of what Mailbeacon's figures count (docs/TRACKING.md, "What the figures count"). The message
// and list badges, the rate cards, the charts, the search filters (`is:opened` …), the API's summaries and the MCP
// tools all ask this module, as a predicate (roleOf) or as SQL (countedSql, machineSql), so they cannot disagree.

import type { Classification, CountScope, TrackingSource } from './tracking.js';

export type { CountScope };

/** Every source a hit may have, in the order the UI lists them. */
export const TRACKING_SOURCES = [
  'recipient',
  'simulated',
  'preview',
] as const satisfies readonly TrackingSource[];

/** The name `preview` had before simulated hits were told apart from it; accepted wherever a source is read. */
export const LEGACY_PREVIEW_SOURCE = 'sandbox';

export const DEFAULT_COUNT_SCOPE: CountScope = 'with-simulated';

/**
 * What a hit is to the figures:
 * - `counted`: an open, click or unsubscribe (a person's hit from a counted source);
 * - `machine`: a proxy's or scanner's hit from a counted source, counted beside the figures, never inside them;
 * - `excluded`: a simulated hit while only real recipients are counted;
 * - `preview`: the user reading the mail in Mailbeacon's own preview, listed and never counted;
 * - `expired`: a hit on an expired link, counted nowhere.
 */
export type HitRole = 'counted' | 'machine' | 'excluded' | 'preview' | 'expired';

export interface CountableHit {
  source: TrackingSource;
  classification: Classification;
}

/** The sources whose hits count under a scope. */
export function countedSources(scope: CountScope = DEFAULT_COUNT_SCOPE): TrackingSource[] {
  return scope === 'recipients' ? ['recipient'] : ['recipient', 'simulated'];
}

export function roleOf(hit: CountableHit, scope: CountScope = DEFAULT_COUNT_SCOPE): HitRole {
  if (hit.classification === 'expired') return 'expired';
  if (hit.source === 'preview') return 'preview';
  if (!countedSources(scope).includes(hit.source)) return 'excluded';
  return hit.classification === 'human' ? 'counted' : 'machine';
}

/** Scope or sources as an SQL list; the values are the constants above, never user text. */
function sourceList(from: CountScope | TrackingSource[]): string {
  const sources = Array.isArray(from) ? from : countedSources(from);
  return sources
    .filter((s) => (TRACKING_SOURCES as readonly string[]).includes(s))
    .map((s) => `'${s}'`)
    .join(', ');
}

/**
 * `roleOf(row) === 'counted'` as SQL over an events row; `alias` is the table's alias with its dot (`e.`). Given
 * sources instead of a scope (a search's `source:`), the same rule over those sources.
 */
export function countedSql(from: CountScope | TrackingSource[] = DEFAULT_COUNT_SCOPE, alias = ''): string {
  return `(${alias}classification = 'human' AND ${alias}source IN (${sourceList(from) || "''"}))`;
}

/** `roleOf(row) === 'machine'` as SQL over an events row. */
export function machineSql(from: CountScope | TrackingSource[] = DEFAULT_COUNT_SCOPE, alias = ''): string {
  return `(${alias}classification IN ('proxy', 'scanner') AND ${alias}source IN (${sourceList(from) || "''"}))`;
}

/** A source as written in a filter or parameter (`sandbox` is `preview`), or undefined if it is none. */
export function parseSource(text: string): TrackingSource | undefined {
  const value = text.trim().toLowerCase();
  if (value === LEGACY_PREVIEW_SOURCE) return 'preview';
  return (TRACKING_SOURCES as readonly string[]).includes(value) ? (value as TrackingSource) : undefined;
}

/** A source as stored: rows written before sources were told apart say `sandbox`. */
export function storedSource(text: string): TrackingSource {
  return parseSource(text) ?? 'recipient';
}
