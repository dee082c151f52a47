const UNITS = ['B', 'kB', 'MB', 'GB'];

/** 1536 → "1.5 kB"; one decimal below 10 so small sizes keep their precision. */
export function formatSize(bytes: number): string {
  let n = bytes;
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  const digits = unit === 0 || n >= 10 ? 0 : 1;
  return `${n.toFixed(digits)} ${UNITS[unit]}`;
}
