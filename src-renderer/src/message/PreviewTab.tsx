import { useMemo, useState } from 'react';
import type { Message } from '../../../src-main/api/types';
import { apiUrl } from '../api/client';
import { buildPreviewDocument, DEVICE_WIDTHS, textAsDocument, type DeviceWidth } from './previewDocument';
import { partPath } from './useMessage';

/**
 * The tracked HTML, as a recipient's client would show it: loading it fires the pixel, a click goes through the
 * tracked redirect into a new window. Scripts never run: the sandbox has no allow-scripts.
 */
export function PreviewTab({ message: m }: { message: Message }) {
  const [device, setDevice] = useState<DeviceWidth>('desktop');
  const [version, setVersion] = useState<'tracked' | 'original'>('tracked');
  const hasTracked = Boolean(m.TrackedHTML);
  const shown = hasTracked ? version : 'original';
  const html = shown === 'tracked' ? m.TrackedHTML : m.HTML;
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
            ? 'Viewing records an open; links open through the tracked redirect.'
            : !m.HTML
              ? 'Plain-text mail.'
              : hasTracked
                ? 'Original HTML: nothing is recorded.'
                : 'Tracking was off for this mail.'}
        </span>
      </div>
      <div className="preview-stage">
        <iframe
          title="Mail preview"
          className="preview-frame"
          data-testid="preview-frame"
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          srcDoc={doc}
          style={width ? { width, maxWidth: '100%' } : undefined}
        />
      </div>
    </div>
  );
}
