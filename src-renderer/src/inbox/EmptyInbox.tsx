import { useInfo } from '../api/resources';
import { CopyButton } from '../shared/CopyButton';
import { ErrorNotice } from '../shared/ErrorNotice';
import { useSendSample } from './actions';
import { smtpSnippets } from '../settings/smtpSnippets';
import { CURRENT_INBOX } from '../inboxes/inboxBase';

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
          <pre className="code empty-snippet" data-testid="empty-snippet">
            {smtpSnippets(smtp, CURRENT_INBOX)[0].code}
          </pre>
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

/**
 * The message pane before a mail is open: rather than a blank half-screen, where to send mail (with a snippet to
 * copy) and how to move through the list from the keyboard.
 */
export function EmptyMessagePane({ hasMail }: { hasMail: boolean }) {
  const info = useInfo();
  const smtp = info.data?.Listeners?.smtp;
  // On an inbox's page the snippet logs in as that inbox, so the app's mail lands where the user is looking.
  const snippet = smtp ? smtpSnippets(smtp, CURRENT_INBOX)[0] : null;
  return (
    <div className="empty-pane" data-testid="empty-message-pane">
      <div className="empty-title">{hasMail ? 'No mail open' : 'Waiting for mail'}</div>
      <p className="muted">
        {hasMail
          ? 'Pick a mail in the list, or press j / k to open the next or previous one (? lists every shortcut).'
          : 'Mail your app sends to the sandbox shows up here as it arrives.'}
      </p>
      {/* Without mail the list's own empty state already shows the snippet; once is enough. */}
      {hasMail && smtp && snippet && (
        <div className="empty-pane-card">
          <div className="empty-pane-card-head">
            <span>
              SMTP <code>{smtp}</code>
            </span>
            <CopyButton text={smtp} />
          </div>
          <pre className="code empty-snippet">{snippet.code}</pre>
          <div className="muted small">More frameworks under Settings.</div>
        </div>
      )}
    </div>
  );
}
