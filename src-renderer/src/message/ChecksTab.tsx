import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type {
  HtmlCheckResponse,
  HtmlCheckWarning,
  LinkCheckResponse,
  Message,
  SpamCheckResponse,
} from '../../../src-main/wire/types';
import { ApiError, api } from '../api/client';
import { ErrorNotice } from '../shared/ErrorNotice';

const enc = encodeURIComponent;
const pct = (n: number) => `${Math.round(n)}%`;

/** HTML compatibility (caniemail.com), spam score (SpamAssassin) and links of a mail, as Mailpit checks them. */
export function ChecksTab({ message }: { message: Message }) {
  return (
    <div className="checks" data-testid="checks-tab">
      <HtmlSection message={message} />
      <SpamSection id={message.ID} />
      <LinksSection id={message.ID} />
    </div>
  );
}

/** A 400 is the server saying why the check does not apply (no HTML, SpamAssassin not enabled): shown as such. */
function Explained({ error, title }: { error: unknown; title: string }) {
  if (error instanceof ApiError && error.status === 400) {
    const text = error.message
      .replace(/^\[api\] 400 (bad request: )?/, '')
      .replace(/ \(\/api\/v1\/.*\)$/, '');
    return <p className="muted pad">{text}</p>;
  }
  return <ErrorNotice title={title} error={error} />;
}

function HtmlSection({ message }: { message: Message }) {
  const check = useQuery({
    queryKey: ['message', message.ID, 'html-check'],
    queryFn: ({ signal }) => api.get<HtmlCheckResponse>(`message/${enc(message.ID)}/html-check`, signal),
    retry: false,
  });
  const [platform, setPlatform] = useState('');
  const sourceLines = useMemo(() => (message.HTML ?? '').split('\n'), [message.HTML]);

  return (
    <section className="checks-section">
      <h2>HTML compatibility</h2>
      {check.isPending && <p className="muted pad">Checking…</p>}
      {check.isError && <Explained error={check.error} title="Could not check the HTML" />}
      {check.data && (
        <>
          <p className="checks-total" data-testid="html-total">
            <strong>{pct(check.data.Total.Supported)}</strong> supported,{' '}
            <span>{pct(check.data.Total.Partial)} partial</span>,{' '}
            <span>{pct(check.data.Total.Unsupported)} unsupported</span>{' '}
            <span className="muted">
              across email clients tested by caniemail.com ({check.data.Warnings.length} features to mind)
            </span>
          </p>
          <label className="checks-filter">
            Platform{' '}
            <select value={platform} onChange={(e) => setPlatform(e.target.value)} aria-label="Platform">
              <option value="">all</option>
              {Object.keys(check.data.Platforms)
                .sort()
                .map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
            </select>
          </label>
          {check.data.Warnings.length === 0 ? (
            <p className="muted pad">Every HTML and CSS feature of this mail is supported everywhere.</p>
          ) : (
            <ul className="checks-list">
              {check.data.Warnings.map((w) => (
                <WarningItem key={w.Slug} warning={w} platform={platform} sourceLines={sourceLines} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function WarningItem({
  warning: w,
  platform,
  sourceLines,
}: {
  warning: HtmlCheckWarning;
  platform: string;
  sourceLines: string[];
}) {
  const affected = w.Results.filter((r) => r.Support !== 'yes' && (!platform || r.Platform === platform));
  if (platform && affected.length === 0) return null;
  return (
    <li className="checks-item" data-testid="html-warning">
      <div className="checks-item-head">
        <a href={w.URL} target="_blank" rel="noreferrer">
          <strong>{w.Title}</strong>
        </a>
        <span className="badge badge-zero">{w.Category}</span>
        <span className="muted">
          {pct(w.Score.Supported)} yes · {pct(w.Score.Partial)} partial · {pct(w.Score.Unsupported)} no
        </span>
      </div>
      {w.Lines.length > 0 && (
        <ul className="checks-lines">
          {w.Lines.slice(0, 5).map((line) => (
            <li key={line}>
              <span className="muted">line {line}</span>{' '}
              <code>{(sourceLines[line - 1] ?? '').trim().slice(0, 160)}</code>
            </li>
          ))}
          {w.Lines.length > 5 && <li className="muted">and {w.Lines.length - 5} more lines</li>}
        </ul>
      )}
      <p className="checks-clients">
        {affected.length === 0
          ? 'Supported by every tested client.'
          : affected.map((r) => (
              <span
                key={`${r.Family}-${r.Platform}-${r.Version}`}
                className={r.Support === 'no' ? 'checks-client checks-no' : 'checks-client checks-partial'}
                title={r.NoteNumber ? (w.NotesByNumber[r.NoteNumber] ?? '') : r.Support}
              >
                {r.Name}
                {r.Support === 'partial' ? ' (partial)' : ''}
              </span>
            ))}
      </p>
    </li>
  );
}

function SpamSection({ id }: { id: string }) {
  const check = useQuery({
    queryKey: ['message', id, 'sa-check'],
    queryFn: ({ signal }) => api.get<SpamCheckResponse>(`message/${enc(id)}/sa-check`, signal),
    retry: false,
  });
  return (
    <section className="checks-section">
      <h2>Spam score</h2>
      {check.isPending && <p className="muted pad">Asking SpamAssassin…</p>}
      {check.isError && <Explained error={check.error} title="Could not get the spam score" />}
      {check.data?.Error && <ErrorNotice title="SpamAssassin" error={new Error(check.data.Error)} />}
      {check.data && !check.data.Error && (
        <>
          <p className="checks-total" data-testid="spam-total">
            <strong>{check.data.Score.toFixed(1)}</strong> {check.data.IsSpam ? 'spam' : 'not spam'}{' '}
            <span className="muted">(SpamAssassin)</span>
          </p>
          <table className="table">
            <thead>
              <tr>
                <th className="num">Score</th>
                <th>Rule</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {(check.data.Rules ?? []).map((r) => (
                <tr key={r.Name}>
                  <td className="num">{r.Score.toFixed(1)}</td>
                  <td>
                    <code>{r.Name}</code>
                  </td>
                  <td>{r.Description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** Checking links sends requests to the sender's servers, so it waits for a click. */
function LinksSection({ id }: { id: string }) {
  const [follow, setFollow] = useState(false);
  const [asked, setAsked] = useState<boolean | null>(null);
  const check = useQuery({
    queryKey: ['message', id, 'link-check', asked],
    queryFn: ({ signal }) =>
      api.get<LinkCheckResponse>(`message/${enc(id)}/link-check?follow=${asked ? 'true' : 'false'}`, signal),
    enabled: asked !== null,
    retry: false,
  });
  return (
    <section className="checks-section">
      <h2>Links</h2>
      <p className="checks-filter">
        <button type="button" className="btn btn-small" onClick={() => setAsked(follow)}>
          Check links
        </button>{' '}
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
          redirects
        </label>{' '}
        <span className="muted">the links of the mail as sent, never its tracking links</span>
      </p>
      {asked !== null && check.isFetching && <p className="muted pad">Checking links…</p>}
      {check.isError && <ErrorNotice title="Could not check the links" error={check.error} />}
      {check.data && !check.isFetching && (
        <>
          <p className="checks-total" data-testid="links-total">
            {check.data.Links.length} link{check.data.Links.length === 1 ? '' : 's'},{' '}
            <strong>{check.data.Errors}</strong> error{check.data.Errors === 1 ? '' : 's'}
          </p>
          <table className="table">
            <tbody>
              {check.data.Links.map((l) => (
                <tr key={l.URL}>
                  <td className="num">
                    <span className={l.StatusCode === 0 || l.StatusCode >= 400 ? 'checks-no' : ''}>
                      {l.StatusCode || '—'}
                    </span>
                  </td>
                  <td>{l.Status}</td>
                  <td className="url">{l.URL}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
