import { useMemo, useState } from 'react';
import hljs from 'highlight.js/lib/core';
import xml from 'highlight.js/lib/languages/xml';
import type { Message } from '../../../src-main/wire/types';

hljs.registerLanguage('xml', xml);

/** Highlighting a multi-megabyte newsletter freezes the tab; past this size the source is shown plain. */
const HIGHLIGHT_LIMIT = 300_000;

export function HtmlSourceTab({ message: m }: { message: Message }) {
  const [version, setVersion] = useState<'original' | 'tracked'>('original');
  const source = version === 'tracked' && m.TrackedHTML ? m.TrackedHTML : m.HTML;
  const highlighted = useMemo(
    () =>
      source && source.length <= HIGHLIGHT_LIMIT ? hljs.highlight(source, { language: 'xml' }).value : null,
    [source],
  );
  if (!m.HTML) return <p className="muted pad">This mail has no HTML part.</p>;
  return (
    <div className="source">
      <div className="preview-bar">
        <div className="segmented" role="group" aria-label="Version">
          <button
            type="button"
            className={version === 'original' ? 'seg seg-on' : 'seg'}
            onClick={() => setVersion('original')}
          >
            original
          </button>
          <button
            type="button"
            className={version === 'tracked' ? 'seg seg-on' : 'seg'}
            disabled={!m.TrackedHTML}
            onClick={() => setVersion('tracked')}
          >
            tracked
          </button>
        </div>
        {!highlighted && <span className="muted">Large source: shown without highlighting.</span>}
      </div>
      {highlighted !== null ? (
        // hljs escapes the source; the only markup in its output is its own <span class="hljs-…">.
        <pre className="code hljs" dangerouslySetInnerHTML={{ __html: highlighted }} />
      ) : (
        <pre className="code">{source}</pre>
      )}
    </div>
  );
}
