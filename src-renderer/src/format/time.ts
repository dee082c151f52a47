// Times as people read them in a mail list: recent ones relative ("3 min ago"), older ones as a date.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", then a short date. `now` is injectable so tests need no clock. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const ago = now - t;
  // A few seconds in the future is clock skew between sender and this machine, not a future mail.
  if (ago < 45_000 && ago > -60_000) return 'just now';
  if (ago < 0) return shortDate(t, now);
  if (ago < HOUR) return `${Math.max(1, Math.round(ago / MINUTE))} min ago`;
  if (ago < 12 * HOUR) return `${Math.floor(ago / HOUR)} h ago`;
  const startOfToday = new Date(now);
  startOfToday.setHours(0, 0, 0, 0);
  if (t >= startOfToday.getTime()) return timeOfDay(t);
  if (t >= startOfToday.getTime() - DAY) return `yesterday ${timeOfDay(t)}`;
  return shortDate(t, now);
}

/**
 * A time that is due, such as a relay's next attempt: "in 40 s", "in 5 min", "in 2 h", a time of day or a date
 * further out, and "due now" once it has passed. Never "just now", which would read as the past.
 */
export function untilTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const ahead = t - now;
  if (ahead <= 0) return 'due now';
  if (ahead < MINUTE) return `in ${Math.max(1, Math.round(ahead / 1000))} s`;
  if (ahead < HOUR) return `in ${Math.round(ahead / MINUTE)} min`;
  if (ahead < 12 * HOUR) return `in ${Math.floor(ahead / HOUR)} h ${Math.round((ahead % HOUR) / MINUTE)} min`;
  return `${shortDate(t, now)} ${timeOfDay(t)}`;
}

function timeOfDay(t: number): string {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function shortDate(t: number, now: number): string {
  const d = new Date(t);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  const month = d.toLocaleString('en', { month: 'short' });
  return sameYear ? `${d.getDate()} ${month}` : `${d.getDate()} ${month} ${d.getFullYear()}`;
}

/** Full local date and time, for tooltips and the message header. */
export function fullTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "HH:MM:SS" for event timelines, where the date is usually today. */
export function clockTime(iso: string): string {
  return fullTime(iso).slice(11);
}
