// The header block of a raw mail as a table, for the tracked version, which the headers route does not serve:
// it is where List-Unsubscribe and List-Unsubscribe-Post were added.

/** Header names as they appear, values unfolded (RFC 5322 §2.2.3); encoded words are left as they are. */
export function parseRawHeaders(raw: string): Record<string, string[]> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const out: Record<string, string[]> = {};
  let current: { name: string; value: string } | null = null;
  const flush = () => {
    if (current) (out[current.name] ??= []).push(current.value.trim());
  };
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    current = colon > 0 ? { name: line.slice(0, colon).trim(), value: line.slice(colon + 1) } : null;
  }
  flush();
  return out;
}

/** Names present in `tracked` but not in `original`, compared case-insensitively, as header names are. */
export function addedHeaderNames(
  original: Record<string, string[]>,
  tracked: Record<string, string[]>,
): Set<string> {
  const before = new Set(Object.keys(original).map((n) => n.toLowerCase()));
  return new Set(Object.keys(tracked).filter((n) => !before.has(n.toLowerCase())));
}
