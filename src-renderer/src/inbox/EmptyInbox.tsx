import { useInfo } from '../api/resources';
import { CopyButton } from '../shared/CopyButton';
import { ErrorNotice } from '../shared/ErrorNotice';
import { useSendSample } from './actions';
import { smtpSnippets } from '../settings/smtpSnippets';

/** Where `mailbeacon serve` listens unless told otherwise. */
const DEFAULT_SMTP = '127.0.0.1:1025';

/** The first thing a new user sees: where to send mail, and a way to see the product work without an app. */
export function EmptyInbox({ searching }: { searching: boolean }) {
  const info = useInfo();
  const send = useSendSample();
  if (searching) {
    return (
      <div className="empty">
        <div className="empty-title">No mail matches this search</div>
        <div className="muted">Remove a filter chip or change the search words.</div>
      </div>
    );
  }
  // Until the server said where it listens, show nothing rather than a default that may be wrong.
  const smtp = info.data?.Listeners?.smtp ?? (info.isError ? DEFAULT_SMTP : null);
  return (
    <div className="empty" data-testid="empty-inbox">
      <div className="empty-title">No mail yet</div>
      {smtp ? (
        <>
          <div>
            Point your app's SMTP at <code>{smtp}</code> <CopyButton text={smtp} />
          </div>
          <pre className="code empty-snippet">{smtpSnippets(smtp)[0].code}</pre>
        </>
      ) : (
        <div className="muted">Point your app's SMTP at this sandbox…</div>
      )}
      {info.isError && (
        <ErrorNotice
          title="Could not ask the server where it listens; showing the default"
          error={info.error}
        />
      )}
      <div className="empty-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={send.isPending}
          onClick={() => send.mutate()}
        >
          {send.isPending ? 'Sending…' : 'Send a sample mail'}
        </button>
      </div>
      {send.isError && <ErrorNotice title="The sample mail was not sent" error={send.error} />}
    </div>
  );
}
