import type { ReactNode } from 'react';

/** http(s) URLs in running text; a trailing period, comma or closing bracket belongs to the sentence. */
const URL_RE = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]}'’”]/g;

/**
 * Splits text into strings and links. Links get target="_blank", like every link in the preview: the desktop app's
 * window-open handler sends them to the system browser, a browser opens a new tab; neither can navigate the UI away.
 */
export function linkify(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const start = match.index;
    if (start > last) out.push(text.slice(last, start));
    out.push(
      <a key={start} href={match[0]} target="_blank" rel="noopener noreferrer">
        {match[0]}
      </a>,
    );
    last = start + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function TextTab({ text }: { text: string }) {
  if (!text) return <p className="muted pad">This mail has no text part.</p>;
  return (
    <pre className="code text-body" data-testid="text-body">
      {linkify(text)}
    </pre>
  );
}
