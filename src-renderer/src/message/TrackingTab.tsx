import { useMemo, useState } from 'react';
import type { Message, MessageTracking, TrackingEvent } from '../../../src-main/wire/types';
import { clockTime, fullTime } from '../format/time';
import { ErrorNotice } from '../shared/ErrorNotice';
import { useMessageEvents, useTracking } from './useMessage';
import { diffHtml, foldUnchanged, type Segment } from './htmlDiff';
import { Loading } from '../shared/Loading';

export function TrackingTab({ message: m }: { message: Message }) {
  const tracking = useTracking(m.ID);
  const events = useMessageEvents(m.ID);
  if (tracking.isPending) return <Loading />;
  if (tracking.isError) return <ErrorNotice error={tracking.error} onRetry={() => void tracking.refetch()} />;
  const t = tracking.data;
  if (!t.enabled)
    return (
      <p className="muted pad">
        Tracking is off for this mail{t.disabledReason ? `: ${t.disabledReason}` : ''}. Its HTML was stored
        unchanged.
      </p>
    );
  return (
    <div className="tracking">
      <Summary t={t} events={events.data?.events ?? []} />
      <ManifestTable t={t} />
      {m.HTML && m.TrackedHTML ? <HtmlChanges original={m.HTML} tracked={m.TrackedHTML} t={t} /> : null}
    </div>
  );
}

function Summary({ t, events }: { t: MessageTracking; events: TrackingEvent[] }) {
  const opens = events.filter((e) => e.kind === 'open');
  const byClass = new Map<string, number>();
  for (const e of opens) {
    const key = e.source && e.source !== 'recipient' ? `${e.source} ${e.classification}` : e.classification;
    byClass.set(key, (byClass.get(key) ?? 0) + 1);
  }
  const classes = [...byClass].map(([c, n]) => `${c} ${n}`).join(', ');
  const u = t.unsubscribe;
  return (
    <dl className="tracking-summary">
      <dt>Pixel</dt>
      <dd>
        {t.pixel ? (
          <>
            injected{' '}
            {t.pixel.placement === 'before-body-end' ? 'before </body>' : 'at the end of the document'} · line{' '}
            {t.pixel.line} · token <code>{t.pixel.tokenId.slice(0, 8)}…</code> · fired {opens.length}×
            {classes && ` (${classes})`}
          </>
        ) : (
          <span className="muted">none (no HTML part)</span>
        )}
      </dd>
      <dt>Headers</dt>
      <dd>
        {u.headersAdded ? (
          <>List-Unsubscribe ✓ added · List-Unsubscribe-Post ✓ added</>
        ) : u.existingHeader ? (
          <>
            kept the mail's own List-Unsubscribe: <code>{u.existingHeader}</code>
          </>
        ) : (
          <span className="muted">not added</span>
        )}
        {u.placeholdersFilled > 0 && ` · ${u.placeholdersFilled} unsubscribe placeholder(s) filled`}
      </dd>
    </dl>
  );
}

function ManifestTable({ t }: { t: MessageTracking }) {
  if (t.links.length === 0 && t.skipped.length === 0)
    return <p className="muted pad">No links in this mail.</p>;
  return (
    <table className="table manifest" data-testid="manifest">
      <thead>
        <tr>
          <th className="num">#</th>
          <th>Original URL</th>
          <th>Tracked URL</th>
          <th className="num">Clicks</th>
          <th className="num">Unique</th>
          <th>Last</th>
        </tr>
      </thead>
      <tbody>
        {t.links.map((l) => {
          const s = t.stats?.[l.tokenId];
          return (
            <tr key={l.tokenId}>
              <td className="num">
                <span className="link-no">{l.index}</span>
              </td>
              <td className="url" title={l.originalUrl}>
                {l.originalUrl}
                {l.inMsoComment && <span className="badge badge-zero">Outlook (MSO)</span>}
              </td>
              <td className="url muted" title={l.trackedUrl}>
                {l.trackedUrl}
              </td>
              <td className="num">{s?.total ?? 0}</td>
              <td className="num">{s?.unique ?? 0}</td>
              <td title={s?.last ? fullTime(s.last) : undefined}>{s?.last ? clockTime(s.last) : '—'}</td>
            </tr>
          );
        })}
        {t.skipped.map((s, i) => (
          <tr key={`skipped-${i}`} className="skipped">
            <td className="num">–</td>
            <td className="url" title={s.url}>
              {s.url}
            </td>
            <td colSpan={4} className="muted">
              skipped: {s.reason} (line {s.line})
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type DiffMode = 'side' | 'original' | 'tracked';

function HtmlChanges({ original, tracked, t }: { original: string; tracked: string; t: MessageTracking }) {
  const [mode, setMode] = useState<DiffMode>('side');
  const diff = useMemo(() => diffHtml(original, tracked, t), [original, tracked, t]);
  return (
    <section className="changes">
      <div className="preview-bar">
        <strong>HTML changes</strong>
        <span className="muted">
          {diff.changes.length} change{diff.changes.length === 1 ? '' : 's'}
        </span>
        <div className="segmented" role="group" aria-label="Diff view">
          {(['original', 'tracked', 'side'] as DiffMode[]).map((d) => (
            <button
              key={d}
              type="button"
              className={d === mode ? 'seg seg-on' : 'seg'}
              onClick={() => setMode(d)}
            >
              {d === 'side' ? 'side by side' : d}
            </button>
          ))}
        </div>
      </div>
      <ol className="change-list">
        {diff.changes.map((c) => (
          <li key={c.number}>
            <span className="change-no">{c.number}</span> {c.label}
          </li>
        ))}
      </ol>
      <div className={mode === 'side' ? 'diff diff-side' : 'diff'} data-testid="html-diff">
        {mode !== 'tracked' && <DiffPane title="Original" segments={diff.original} kind="del" />}
        {mode !== 'original' && <DiffPane title="Tracked" segments={diff.tracked} kind="ins" />}
      </div>
    </section>
  );
}

function DiffPane({ title, segments, kind }: { title: string; segments: Segment[]; kind: 'del' | 'ins' }) {
  const pieces = useMemo(() => foldUnchanged(segments), [segments]);
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  return (
    <div className="diff-pane">
      <div className="diff-title">{title}</div>
      <pre className="code">
        {pieces.map((p, i) =>
          p.gap !== undefined && !opened.has(i) ? (
            <button
              key={i}
              type="button"
              className="diff-fold"
              onClick={() => setOpened((o) => new Set(o).add(i))}
              title="Show these lines"
            >
              ⋯ {p.gap} unchanged line{p.gap === 1 ? '' : 's'}
              {'\n'}
            </button>
          ) : p.change === null ? (
            <span key={i}>{p.text}</span>
          ) : (
            <mark key={i} className={`diff-${kind}`} data-change={p.change}>
              <sup className="change-no">{p.change}</sup>
              {p.text}
            </mark>
          ),
        )}
      </pre>
    </div>
  );
}
