import type { Message } from '../../../src-main/wire/types';
import { useRelay } from '../api/resources';
import { ErrorNotice } from '../shared/ErrorNotice';
import { RelayEntries } from '../relay/RelayEntries';
import { Loading } from '../shared/Loading';

export function RelayTab({ message: m, onRelease }: { message: Message; onRelease: () => void }) {
  const relay = useRelay();
  if (relay.isPending) return <Loading />;
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
      {relay.data.config.enabled && !relay.data.config.original && (
        <p className="muted" data-testid="dkim-note">
          {relay.data.config.dkim
            ? 'The tracked mail is relayed and re-signed with DKIM (List-Unsubscribe and List-Unsubscribe-Post included).'
            : 'The tracked mail is relayed: its body differs from what the sender signed, so a DKIM signature it carries will not verify at the receiver. Re-sign with --relay-dkim-domain, --relay-dkim-selector and --relay-dkim-key, or relay the mail as received with --relay-original.'}
        </p>
      )}
      {entries.length === 0 ? (
        <p className="muted">This mail has not been relayed.</p>
      ) : (
        <RelayEntries entries={entries} showMail={false} />
      )}
    </div>
  );
}
