import { useRelay } from '../api/resources';
import { ErrorNotice } from '../shared/ErrorNotice';
import { RelayEntries } from './RelayEntries';
import { configValue } from './relayConfig';
import { Loading } from '../shared/Loading';

export function RelayPage() {
  const relay = useRelay();
  return (
    <div className="page" data-testid="relay-page">
      <h1 className="page-title">Relay</h1>
      {relay.isPending && <Loading className="muted" />}
      {relay.isError && <ErrorNotice error={relay.error} onRetry={() => void relay.refetch()} />}
      {relay.data && (
        <>
          <p className="relay-config">
            {relay.data.config.enabled ? (
              <>
                Upstream <code>{relay.data.config.url}</code>
                {Object.entries(relay.data.config)
                  .filter(([k, v]) => k !== 'enabled' && k !== 'url' && v !== '' && v !== null && v !== false)
                  .map(([k, v]) => (
                    <span key={k} className="muted">
                      {' '}
                      · {k} {configValue(k, v)}
                    </span>
                  ))}
              </>
            ) : (
              <span className="muted">
                No relay configured. Start with <code>--relay smtp://host:port</code> to forward mail to a
                real server; nothing leaves this machine otherwise.
              </span>
            )}
          </p>
          {relay.data.entries.length === 0 ? (
            <div className="empty">
              <div className="empty-title">Outbox empty</div>
              <div className="muted">
                Release a mail from its Relay tab, or relay by rule with --relay-all / --relay-matching.
              </div>
            </div>
          ) : (
            <RelayEntries entries={relay.data.entries} showMail />
          )}
        </>
      )}
    </div>
  );
}
