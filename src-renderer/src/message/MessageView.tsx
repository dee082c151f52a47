import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { Message } from '../../../src-main/api/types';
import { apiUrl } from '../api/client';
import { addressList, fullAddress } from '../format/address';
import { fullTime } from '../format/time';
import { ErrorNotice } from '../shared/ErrorNotice';
import { TrackingBadges } from '../shared/TrackingBadges';
import { useSetRead } from '../inbox/actions';
import { setReadInCache } from '../live/applyUpdate';
import { useMessage, useMessageEvents } from './useMessage';
import { liveCounts } from './trackingCounts';
import { PreviewTab } from './PreviewTab';
import { TrackingTab } from './TrackingTab';
import { EventsTab } from './EventsTab';
import { HtmlSourceTab } from './HtmlSourceTab';
import { HeadersTab } from './HeadersTab';
import { RawTab } from './RawTab';
import { AttachmentsTab } from './AttachmentsTab';
import { RelayTab } from './RelayTab';
import { ChecksTab } from './ChecksTab';
import { ReleaseDialog } from './ReleaseDialog';

const TABS = [
  'preview',
  'tracking',
  'events',
  'html',
  'text',
  'headers',
  'raw',
  'attachments',
  'relay',
  'checks',
] as const;
type Tab = (typeof TABS)[number];

export function MessageView({ id, onDelete }: { id: string; onDelete: () => void }) {
  const message = useMessage(id);
  const events = useMessageEvents(id);
  // The tab is part of the URL, so a link can open a mail on its Events tab without loading the preview (which
  // would record an open).
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab');
  const tab: Tab = TABS.includes(wanted as Tab) ? (wanted as Tab) : 'preview';
  const setTab = (t: Tab) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (t === 'preview') next.delete('tab');
        else next.set('tab', t);
        return next;
      },
      { replace: true },
    );
  const [releasing, setReleasing] = useState(false);
  const setRead = useSetRead();
  const client = useQueryClient();
  const loaded = message.isSuccess;

  // Fetching a mail marks it read on the server (Mailpit's behaviour); show that in the list without waiting for
  // the hub to say so.
  useEffect(() => {
    if (loaded) setReadInCache(client, [id], true);
  }, [loaded, client, id]);

  if (message.isPending) return <div className="empty empty-quiet muted">Loading…</div>;
  if (message.isError)
    return (
      <div className="message-error">
        <ErrorNotice
          title="Could not open this mail"
          error={message.error}
          onRetry={() => void message.refetch()}
        />
      </div>
    );
  const m = message.data;
  const attachmentCount = (m.Attachments?.length ?? 0) + (m.Inline?.length ?? 0);
  const tabs: { id: Tab; label: string }[] = [
    { id: 'preview', label: 'Preview' },
    { id: 'tracking', label: 'Tracking' },
    { id: 'events', label: 'Events' },
    { id: 'html', label: 'HTML' },
    { id: 'text', label: 'Text' },
    { id: 'headers', label: 'Headers' },
    { id: 'raw', label: 'Raw' },
    { id: 'attachments', label: `Attachments${attachmentCount ? ` (${attachmentCount})` : ''}` },
    { id: 'relay', label: 'Relay' },
    { id: 'checks', label: 'Checks' },
  ];

  return (
    <article className="message" data-testid="message-view">
      <header className="message-head">
        <div className="message-title-row">
          <h1 className="message-subject">{m.Subject || '(no subject)'}</h1>
          <div className="message-actions">
            <button type="button" className="btn btn-small" onClick={() => setReleasing(true)}>
              Release
            </button>
            <a
              className="btn btn-small"
              href={apiUrl(`message/${encodeURIComponent(id)}/raw?dl=1`)}
              download={`${id}.eml`}
            >
              .eml
            </a>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setRead.mutate({ ids: [id], read: false })}
              title="Mark unread (u)"
            >
              Unread
            </button>
            <button
              type="button"
              className="btn btn-small btn-ghost-danger"
              onClick={onDelete}
              title="Delete (Delete)"
            >
              Delete
            </button>
          </div>
        </div>
        <MetaLines m={m} />
        <div className="message-tracking-line">
          <TrackingBadges counts={liveCounts(m.Tracking, events.data?.events)} verbose />
        </div>
        {m.Warnings?.length > 0 && (
          <div className="notice notice-warn">
            <div>
              <strong>Parser warnings</strong>
              <ul>
                {m.Warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          </div>
        )}
        {setRead.isError && <ErrorNotice title="Could not mark unread" error={setRead.error} />}
      </header>
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab tab-on' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'preview' && <PreviewTab message={m} />}
        {tab === 'tracking' && <TrackingTab message={m} />}
        {tab === 'events' && <EventsTab id={id} />}
        {tab === 'html' && <HtmlSourceTab message={m} />}
        {tab === 'text' &&
          (m.Text ? (
            <pre className="code text-body">{m.Text}</pre>
          ) : (
            <p className="muted pad">This mail has no text part.</p>
          ))}
        {tab === 'headers' && <HeadersTab id={id} />}
        {tab === 'raw' && <RawTab id={id} />}
        {tab === 'attachments' && <AttachmentsTab message={m} />}
        {tab === 'relay' && <RelayTab message={m} onRelease={() => setReleasing(true)} />}
        {tab === 'checks' && <ChecksTab message={m} />}
      </div>
      {releasing && <ReleaseDialog message={m} onClose={() => setReleasing(false)} />}
    </article>
  );
}

function MetaLines({ m }: { m: Message }) {
  return (
    <dl className="message-meta">
      <dt>From</dt>
      <dd>{m.From ? fullAddress(m.From) : '(no sender)'}</dd>
      <dt>To</dt>
      <dd>{addressList(m.To) || '—'}</dd>
      {m.Cc?.length > 0 && (
        <>
          <dt>Cc</dt>
          <dd>{addressList(m.Cc)}</dd>
        </>
      )}
      {m.Bcc?.length > 0 && (
        <>
          <dt>Bcc</dt>
          <dd>{addressList(m.Bcc)}</dd>
        </>
      )}
      <dt>Date</dt>
      <dd>{fullTime(m.Date)}</dd>
    </dl>
  );
}
