// The effective configuration as the flags take it: `--smtp 127.0.0.1:1025`, `--smtp-data-timeout 10m`,
// `--max-age 7d`, rather than the settings object's listener objects and milliseconds.

/** Settings held in milliseconds: each is given on the command line as a duration (`90s`, `7d`) or a list of them. */
const DURATIONS = /^(smtpCommandTimeout|smtpDataTimeout|maxAge|relayRetries|webhookRetries)$|Timeout$/;

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** 600000 → `10m`, 90000 → `90s`, 1500 → `1500ms`: the largest unit that says it exactly. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `smtpDataTimeout` → `--smtp-data-timeout`: a setting's key is its flag name in camelCase. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function isListener(v: unknown): v is { host: string; port: number } {
  return typeof v === 'object' && v !== null && 'host' in v && 'port' in v;
}

/** A listener's address without the scheme the info adds to HTTP ones. */
const bare = (address: string) => address.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '');

export interface ConfigRow {
  flag: string;
  value: string;
  /** Why the value differs from what was asked, such as the port chosen for port 0. */
  note?: string;
}

/** The rows of Settings' "Effective configuration", in the settings' order. */
export function configRows(settings: Record<string, unknown>): ConfigRow[] {
  const bound = (settings.addresses ?? {}) as Record<string, unknown>;
  const rows: ConfigRow[] = [];
  for (const [key, v] of Object.entries(settings)) {
    if (key === 'addresses') continue;
    const row: ConfigRow = { flag: flagName(key), value: formatValue(key, v) };
    const actual = bound[key];
    if (isListener(v) && typeof actual === 'string' && actual) {
      row.value = bare(actual);
      if (v.port === 0) row.note = `asked for ${v.host}:0, any free port`;
    }
    rows.push(row);
  }
  return rows;
}

function formatValue(key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (isListener(v)) return `${v.host}:${v.port}`;
  if (DURATIONS.test(key)) {
    if (typeof v === 'number') return formatDuration(v);
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v.map(formatDuration).join(',');
  }
  if (Array.isArray(v))
    return v.length
      ? v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ')
      : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
