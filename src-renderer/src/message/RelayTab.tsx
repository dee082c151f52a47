import type { Message } from '../../../src-main/api/types';
import { useRelay } from '../api/resources';
import { ErrorNotice } from '../shared/ErrorNotice';
import { RelayEntries } from '../relay/RelayEntries';

export function RelayTab({ message: m, onRelease }: { message: Message; onRelease: () => void }) {
  const relay = useRelay();
  if (relay.isPending) return <p className="muted pad">Loading…</p>;
  if (relay.isError) return <ErrorNotice error={relay.error} onRetry={() => void relay.refetch()} />;
  const entries = relay.data.entries.filter((e) => e.messageId === m.ID);
  return (
    <div className="pad-block">
      <div className="preview-bar">
        <span>
          {relay.data.config.enabled ? (
            <>
              Relay: <code>{relay.data.config.url}</code>
            </>
          ) : (
            <span className="muted">No relay configured (start with --relay smtp://host:port).</span>
          )}
        </span>
        <button type="button" className="btn btn-small btn-primary" onClick={onRelease}>
          Release…
        </button>
      </div>
      {entries.length === 0 ? (
        <p className="muted">This mail has not been relayed.</p>
      ) : (
        <RelayEntries entries={entries} showMail={false} />
      )}
    </div>
  );
}
