import { forwardRef, useEffect, useState } from 'react';
import { CHIPS, activeChips, toggleChip } from './searchQuery';

/** Typing settles for this long before a search is sent, so each keystroke does not query the store. */
const SEARCH_DEBOUNCE_MS = 250;

export const SearchBar = forwardRef<
  HTMLInputElement,
  {
    query: string;
    onChange: (query: string) => void;
    /** The server's word on a query it cannot read, shown under the box in place of the hint. */
    error?: string | null;
  }
>(function SearchBar({ query, onChange, error }, ref) {
  const [text, setText] = useState(query);
  // The URL is the source of truth: back/forward and chip clicks replace what is in the box.
  useEffect(() => setText(query), [query]);
  useEffect(() => {
    if (text === query) return;
    const t = setTimeout(() => onChange(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, query, onChange]);
  const active = activeChips(text);
  return (
    <div className="search">
      <input
        ref={ref}
        type="search"
        className="search-input"
        placeholder="Search ( / )"
        value={text}
        aria-label="Search"
        aria-invalid={error ? true : undefined}
        aria-describedby="search-help"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange(text.trim());
          if (e.key === 'Escape') (e.target as HTMLInputElement).blur();
        }}
      />
      {error ? (
        <div className="search-error" id="search-help" role="alert" data-testid="search-error">
          {error}
        </div>
      ) : (
        <div className="search-hint" id="search-help">
          from: to: subject: tag: is:unread has:attachment before: after: …
        </div>
      )}
      <div className="chips" role="group" aria-label="Filters">
        {CHIPS.map((c) => (
          <button
            key={c.id}
            type="button"
            className={active.has(c.id) ? 'chip chip-on' : 'chip'}
            aria-pressed={active.has(c.id)}
            onClick={() => {
              const next = toggleChip(text, c.id);
              setText(next);
              onChange(next);
            }}
          >
            {c.label}
          </button>
        ))}
      </div>
    </div>
  );
});
