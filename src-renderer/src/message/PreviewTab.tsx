import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Message } from '../../../src-main/wire/types';
import { api, apiUrl } from '../api/client';
import { buildPreviewDocument, DEVICE_WIDTHS, textAsDocument, type DeviceWidth } from './previewDocument';
import { claimFirstView, markPreviewHtml, type PreviewUrls } from './previewMarks';
import { partPath } from './useMessage';

/**
 * The tracked HTML, as a recipient's client would show it, with its tracking URLs marked as Mailbeacon's own: the
 * pixel fires once per mail and session (recorded as a sandbox open, never a recipient's), a click goes through
 * the tracked redirect into a new window (a sandbox click). Scripts never run: the sandbox has no allow-scripts.
 */
export function PreviewTab({ message: m }: { message: Message }) {
  const [device, setDevice] = useState<DeviceWidth>('desktop');
  const [version, setVersion] = useState<'tracked' | 'original'>('tracked');
  // Decided once per mount and mail: a re-render or a new mount in the same session shows a blank pixel instead.
  const [pixelFor] = useState(() => new Map<string, boolean>());
  const marks = useQuery({
    queryKey: ['message', m.ID, 'preview-urls'],
    queryFn: ({ signal }) => api.get<PreviewUrls>(`message/${encodeURIComponent(m.ID)}/preview-urls`, signal),
    staleTime: Infinity,
    enabled: Boolean(m.TrackedHTML),
  });
  const hasTracked = Boolean(m.TrackedHTML) && !marks.isError;
  const shown = hasTracked ? version : 'original';
  let html = m.HTML;
  if (shown === 'tracked') {
    if (!marks.data) html = '';
    else {
      if (!pixelFor.has(m.ID)) pixelFor.set(m.ID, claimFirstView(m.ID));
      html = markPreviewHtml(m.TrackedHTML, marks.data, pixelFor.get(m.ID)!);
    }
  }
  const waiting = shown === 'tracked' && !marks.data;
  const doc = useMemo(
    () =>
      html
        ? buildPreviewDocument(html, m.Inline ?? [], (partId) => apiUrl(partPath(m.ID, partId)))
        : textAsDocument(m.Text ?? ''),
    [html, m.Inline, m.ID, m.Text],
  );
  const width = DEVICE_WIDTHS[device];
  return (
    <div className="preview">
      <div className="preview-bar">
        <div className="segmented" role="group" aria-label="Width">
          {(Object.keys(DEVICE_WIDTHS) as DeviceWidth[]).map((d) => (
            <button
              key={d}
              type="button"
              className={d === device ? 'seg seg-on' : 'seg'}
              onClick={() => setDevice(d)}
            >
              {d}
              {DEVICE_WIDTHS[d] ? ` ${DEVICE_WIDTHS[d]}px` : ''}
            </button>
          ))}
        </div>
        {m.HTML && (
          <div className="segmented" role="group" aria-label="Version">
            <button
              type="button"
              className={shown === 'tracked' ? 'seg seg-on' : 'seg'}
              disabled={!hasTracked}
              onClick={() => setVersion('tracked')}
              title="As the recipient gets it: opening fires the pixel"
            >
              tracked
            </button>
            <button
              type="button"
              className={shown === 'original' ? 'seg seg-on' : 'seg'}
              onClick={() => setVersion('original')}
              title="As your app sent it: no pixel, no redirects"
            >
              original
            </button>
          </div>
        )}
        <span className="muted preview-note">
          {shown === 'tracked'
            ? 'The first view in this session records one sandbox open; links open through the tracked redirect (sandbox clicks). Neither counts as a recipient’s.'
            : !m.HTML
              ? 'Plain-text mail.'
              : marks.isError
                ? 'Original HTML: the preview could not mark its tracking URLs, so it records nothing.'
                : hasTracked
                  ? 'Original HTML: nothing is recorded.'
                  : 'Tracking was off for this mail.'}
        </span>
      </div>
      <div className="preview-stage">
        {/* Not rendered before the marked URLs arrive: one document per view, never an empty one replaced. */}
        {waiting ? (
          <p className="muted">Preparing the preview…</p>
        ) : (
          <iframe
            title="Mail preview"
            className="preview-frame"
            data-testid="preview-frame"
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            referrerPolicy="no-referrer"
            srcDoc={doc}
            style={width ? { width, maxWidth: '100%' } : undefined}
          />
        )}
      </div>
    </div>
  );
}
