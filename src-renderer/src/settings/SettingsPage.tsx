import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import ini from 'highlight.js/lib/languages/ini';
import properties from 'highlight.js/lib/languages/properties';
import go from 'highlight.js/lib/languages/go';
import csharp from 'highlight.js/lib/languages/csharp';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { useInfo, useRelay, useSettings, useWebhookDeliveries } from '../api/resources';
import { CopyButton } from '../shared/CopyButton';
import { ErrorNotice } from '../shared/ErrorNotice';
import { relativeTime } from '../format/time';
import { smtpSnippets } from './smtpSnippets';
import { CURRENT_INBOX } from '../inboxes/inboxBase';
import { SmtpTlsSettings } from './SmtpTlsSettings';
import { ThemeChooser } from '../layout/ThemeChooser';
import { NotificationToggle } from '../notify/BrowserNotifications';
import { configRows } from './effectiveConfig';

for (const [name, lang] of Object.entries({ javascript, python, ruby, ini, properties, go, csharp })) {
  hljs.registerLanguage(name, lang);
}

export function SettingsPage() {
  const info = useInfo();
  const settings = useSettings();
  const relay = useRelay();
  const webhooks = useWebhookDeliveries();
  const client = useQueryClient();
  const retryDelivery = useMutation({
    mutationFn: (id: number) => api.send('POST', `webhooks/deliveries/${id}/retry`),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.webhooks }),
  });
  const smtp = info.data?.Listeners?.smtp ?? '';

  return (
    <div className="page" data-testid="settings-page">
      <h1 className="page-title">Settings</h1>
      {info.isError && <ErrorNotice error={info.error} onRetry={() => void info.refetch()} />}
      <section className="panel">
        <div className="panel-title">Listeners</div>
        {info.data && (
          <table className="table kv">
            <tbody>
              <Listener label="SMTP" value={info.data.Listeners.smtp} />
              <Listener label="UI, API and hub" value={withScheme(info.data.Listeners.http)} />
              <Listener label="Tracking endpoints" value={withScheme(info.data.Listeners.tracking)} />
              <Listener label="Tracking links point to" value={info.data.TrackingURL} />
              <Listener label="Key fingerprint" value={info.data.KeyFingerprint} mono />
              {info.data.POP3 && (
                <>
                  <Listener label="POP3" value={info.data.POP3.Address} />
                  <Listener label="POP3 user" value={info.data.POP3.User} mono />
                  {info.data.POP3.Password ? (
                    <Listener label="POP3 password" value={info.data.POP3.Password} mono />
                  ) : (
                    <tr>
                      <th>POP3 password</th>
                      <td colSpan={2} className="muted">
                        set by --pop3-auth
                      </td>
                    </tr>
                  )}
                </>
              )}
              <tr>
                <th>Version</th>
                <td colSpan={2}>
                  {info.data.Version} · {info.data.Messages.toLocaleString('en')} mails stored
                </td>
              </tr>
            </tbody>
          </table>
        )}
      </section>

      <section className="panel">
        <div className="panel-title">Send mail here from your app</div>
        <Snippets address={smtp || '127.0.0.1:1025'} user={CURRENT_INBOX} />
      </section>

      <section className="panel">
        <div className="panel-title">Inbox settings</div>
        <p>
          Retention, tracking, relay, webhook and tag rules of {CURRENT_INBOX ? 'this inbox' : 'each inbox'}:{' '}
          <a href="#/inbox-settings">inbox settings</a>.
        </p>
      </section>

      <section className="panel">
        <div className="panel-title">SMTP TLS</div>
        <SmtpTlsSettings settings={settings.data} />
      </section>

      <section className="panel">
        <div className="panel-title">Relay</div>
        {relay.isError && <ErrorNotice error={relay.error} onRetry={() => void relay.refetch()} />}
        {relay.data &&
          (relay.data.config.enabled ? (
            <p>
              Forwarding to <code>{relay.data.config.url}</code> ·{' '}
              {relay.data.entries.filter((e) => e.status === 'pending' || e.status === 'sending').length}{' '}
              waiting ·{' '}
              {relay.data.entries.filter((e) => e.status === 'failed' || e.status === 'dead').length} failed
            </p>
          ) : (
            <p className="muted">
              Off: nothing leaves this machine. Start with --relay smtp://host:port to forward mail.
            </p>
          ))}
      </section>

      <section className="panel">
        <div className="panel-title">Webhooks</div>
        {webhooks.isError && <ErrorNotice error={webhooks.error} onRetry={() => void webhooks.refetch()} />}
        {retryDelivery.isError && <ErrorNotice title="Retry failed" error={retryDelivery.error} />}
        {webhooks.data?.config && webhooks.data.config.urls.length > 0 && (
          <p>
            Posting {webhooks.data.config.events.join(', ') || 'all events'} to{' '}
            {webhooks.data.config.urls.map((u) => (
              <code key={u}>{u}</code>
            ))}
          </p>
        )}
        {webhooks.data &&
          (webhooks.data.deliveries.length === 0 ? (
            <p className="muted">
              {webhooks.data.config?.urls.length
                ? 'No deliveries yet.'
                : 'No webhook configured. Add endpoints with --webhook URL; events are signed (Standard Webhooks).'}
            </p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>Endpoint</th>
                  <th>Status</th>
                  <th>Last attempt</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {webhooks.data.deliveries.slice(0, 20).map((d) => {
                  const last = d.attempts[d.attempts.length - 1];
                  return (
                    <tr key={d.id}>
                      <td>{d.eventType}</td>
                      <td className="url">{d.url}</td>
                      <td>
                        <span className={`status status-${d.status}`}>{d.status}</span>
                      </td>
                      <td>
                        {last ? (
                          `${relativeTime(last.at)} · ${last.status ?? last.error}`
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td>
                        {(d.status === 'failed' || d.status === 'dead') && (
                          <button
                            type="button"
                            className="btn btn-small"
                            disabled={retryDelivery.isPending}
                            onClick={() => retryDelivery.mutate(d.id)}
                          >
                            Retry
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ))}
      </section>

      <section className="panel">
        <div className="panel-title">Checks</div>
        <InternalLinksSwitch />
      </section>

      <section className="panel">
        <div className="panel-title">Theme</div>
        <ThemeChooser />
      </section>

      <section className="panel">
        <div className="panel-title">Notifications</div>
        <NotificationToggle />
      </section>

      <section className="panel">
        <div className="panel-title">Effective configuration</div>
        {settings.isError && <ErrorNotice error={settings.error} onRetry={() => void settings.refetch()} />}
        {settings.data && (
          <table className="table kv config-table" data-testid="effective-config">
            <tbody>
              {configRows(settings.data).map((row) => (
                <tr key={row.flag}>
                  <th className="mono">{row.flag}</th>
                  <td className="mono">
                    {row.value}
                    {row.note && <span className="muted small"> ({row.note})</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

/** `--allow-internal-http-requests` for this run: link check may then request localhost and the LAN. */
function InternalLinksSwitch() {
  const client = useQueryClient();
  const current = useQuery({
    queryKey: ['checks-settings'],
    queryFn: ({ signal }) => api.get<ChecksSettings>('checks/settings', signal),
  });
  const change = useMutation({
    mutationFn: (allow: boolean) =>
      api.send<ChecksSettings>('PUT', 'checks/settings', { allowInternalHttpRequests: allow }),
    onSuccess: (data) => client.setQueryData(['checks-settings'], data),
  });
  return (
    <>
      {change.isError && <ErrorNotice title="Not changed" error={change.error} />}
      <label className="toggle">
        <input
          type="checkbox"
          data-testid="allow-internal-http-requests"
          disabled={!current.data || change.isPending}
          checked={current.data?.allowInternalHttpRequests ?? false}
          onChange={(e) => change.mutate(e.target.checked)}
        />{' '}
        Link check may request internal addresses (localhost, the LAN) until the next start
      </label>
      <p className="muted">
        Off by default, like --allow-internal-http-requests. Mailbeacon's own listeners are never requested.
      </p>
    </>
  );
}

interface ChecksSettings {
  allowInternalHttpRequests: boolean;
}

function Listener({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <tr>
      <th>{label}</th>
      <td className={mono ? 'mono' : undefined}>
        <code>{value || '—'}</code>
      </td>
      <td className="copy-cell">{value && <CopyButton text={value} />}</td>
    </tr>
  );
}

function Snippets({ address, user }: { address: string; user?: string }) {
  const snippets = useMemo(() => smtpSnippets(address, user), [address, user]);
  const [active, setActive] = useState(snippets[0].id);
  const s = snippets.find((x) => x.id === active) ?? snippets[0];
  const html = useMemo(() => hljs.highlight(s.code, { language: s.language }).value, [s]);
  return (
    <div className="snippets">
      <div className="tabs tabs-small" role="tablist">
        {snippets.map((x) => (
          <button
            key={x.id}
            type="button"
            role="tab"
            aria-selected={x.id === active}
            className={x.id === active ? 'tab tab-on' : 'tab'}
            onClick={() => setActive(x.id)}
          >
            {x.label}
          </button>
        ))}
      </div>
      <div className="snippet">
        <div className="snippet-copy">
          <CopyButton text={s.code} />
        </div>
        {/* hljs escapes the snippet; its output holds only its own spans. */}
        <pre className="code hljs" data-testid="snippet" dangerouslySetInnerHTML={{ __html: html }} />
      </div>
    </div>
  );
}

/** Listener addresses come as host:port or as a URL; links and copies want the URL. */
function withScheme(address: string): string {
  if (!address) return '';
  return /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
}
