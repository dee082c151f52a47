// The relay configuration in one line, as the Relay page shows it on top.
/** Retry schedules come in milliseconds; people read them as 10s, 1m, 2h. */
export function configValue(key: string, v: unknown): string {
  if (key === 'retries' && Array.isArray(v)) return v.map((ms) => duration(Number(ms))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
