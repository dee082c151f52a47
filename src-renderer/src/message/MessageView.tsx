import { useEffect, useState } from 'react';
import { TagEditor } from './TagEditor';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { Message } from '../../../src-main/wire/types';
import { apiUrl } from '../api/client';
import { useRelay } from '../api/resources';
import { addressList, fullAddress } from '../format/address';
import { formatSize } from '../format/size';
import { fullTime } from '../format/time';
import { ErrorNotice } from '../shared/ErrorNotice';
import { TrackingBadges } from '../shared/TrackingBadges';
import { TagChips } from '../shared/TagChips';
import { BackIcon, DownloadIcon, EnvelopeIcon, PaperclipIcon, SendIcon, TrashIcon } from '../shared/icons';
import { useSetRead } from '../inbox/actions';
import { setReadInCache } from '../live/applyUpdate';
import { useMessage, useMessageEvents, partPath } from './useMessage';
import { liveCounts } from './trackingCounts';
import { ReleaseDialog } from './ReleaseDialog';
import { SimulateMenu } from './SimulateMenu';
import { MoveMenu } from '../inboxes/MoveMenu';
import { MESSAGE_TABS } from './tabs';
import { TabBar } from './TabBar';
import { Loading } from '../shared/Loading';

export function MessageView({
  id,
  onDelete,
  onBack,
  onMoved,
}: {
  id: string;
  onDelete: () => void;
  /** The mail went to another inbox (`moved` 0: it was there already). */
  onMoved?: (to: string, moved: number) => void;
  /** Back to the list; shown when the list and the mail are stacked (narrow windows). */
  onBack?: () => void;
}) {
  const message = useMessage(id);
  const events = useMessageEvents(id);
  const relay = useRelay();
  // The tab is part of the URL, so a link can open a mail on its Events tab without loading the preview (which
  // would record an open).
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab');
  const tab = MESSAGE_TABS.find((t) => t.id === wanted) ?? MESSAGE_TABS[0];
  const setTab = (t: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (t === MESSAGE_TABS[0].id) next.delete('tab');
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

  const back = onBack && (
    <button
      type="button"
      className="btn btn-small btn-ghost back-button"
      onClick={onBack}
      title="Back to the list"
    >
      <BackIcon size={14} /> Back
    </button>
  );
  if (message.isPending)
    return (
      <div className="message">
        {back && <div className="message-toolbar">{back}</div>}
        <Loading className="empty empty-quiet muted" />
      </div>
    );
  if (message.isError)
    return (
      <div className="message message-error">
        {back && <div className="message-toolbar">{back}</div>}
        <ErrorNotice
          title="Could not open this mail"
          error={message.error}
          onRetry={() => void message.refetch()}
        />
      </div>
    );
  const m = message.data;
  const relayOff = relay.data ? !relay.data.config.enabled : false;
  const attachments = [...(m.Attachments ?? [])];

  return (
    <article className="message" data-testid="message-view">
      <header className="message-head">
        <div className="message-toolbar" role="toolbar" aria-label="Mail actions">
          {back}
          <span className="toolbar-spacer" />
          <SimulateMenu id={id} />
          <MoveMenu ids={[id]} onMoved={onMoved} />
          <button
            type="button"
            className="btn btn-small btn-icon-text"
            onClick={() => setReleasing(true)}
            disabled={relayOff}
            title={
              relayOff
                ? 'No relay is configured: start with --relay smtp://host:port'
                : 'Forward this mail to real recipients through the relay'
            }
          >
            <SendIcon size={14} /> Release
          </button>
          <span className="btn-group" role="group" aria-label="Download">
            <a
              className="btn btn-small btn-icon-text"
              href={apiUrl(`message/${encodeURIComponent(id)}/raw?dl=1`)}
              download={`${id}.eml`}
              title="Download the mail as it was sent (.eml)"
            >
              <DownloadIcon size={14} /> .eml
            </a>
            <a
              className="btn btn-small"
              href={apiUrl(`message/${encodeURIComponent(id)}/raw?version=tracked&dl=1`)}
              download={`${id}-tracked.eml`}
              title="Download the mail as tracked, with the pixel and rewritten links (.eml)"
            >
              tracked
            </a>
          </span>
          <button
            type="button"
            className="btn btn-small btn-icon-text"
            onClick={() => setRead.mutate({ ids: [id], read: false })}
            title="Mark unread (u)"
          >
            <EnvelopeIcon size={14} /> Unread
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost-danger btn-icon-text"
            onClick={onDelete}
            title="Delete (Delete)"
          >
            <TrashIcon size={14} /> Delete
          </button>
        </div>
        <h1 className="message-subject">{m.Subject || '(no subject)'}</h1>
        <MetaLines m={m} />
        <TagEditor id={id} tags={m.Tags ?? []} />
        <div className="message-tracking-line">
          <TrackingBadges
            counts={liveCounts(m.Tracking, events.data?.events)}
            verbose
            canOpen={Boolean(m.HTML)}
          />
          <TagChips tags={m.Tags} />
        </div>
        {attachments.length > 0 && (
          <div className="attachment-chips" aria-label="Attachments">
            {attachments.map((a) => (
              <a
                key={a.PartID}
                className="attachment-chip"
                href={apiUrl(partPath(id, a.PartID))}
                download={a.FileName || undefined}
                title={`${a.ContentType}, ${formatSize(a.Size)}: download`}
              >
                <PaperclipIcon size={12} />
                <span className="attachment-chip-name">{a.FileName || '(unnamed)'}</span>
                <span className="muted">{formatSize(a.Size)}</span>
              </a>
            ))}
          </div>
        )}
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
      <TabBar
        tabs={MESSAGE_TABS.map((t) => ({ id: t.id, label: t.label(m) }))}
        selected={tab.id}
        onSelect={setTab}
      />
      <div className="tab-body" role="tabpanel">
        {tab.render({ message: m, id, release: () => setReleasing(true) })}
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
