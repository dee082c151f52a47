import type { TrackingCounts } from '../../../src-main/api/types';
import { ClickIcon, EyeIcon } from './icons';

/**
 * Opens, clicks and unsubscribe as small badges. In list rows only what happened shows, so active mails stand out
 * and a plain-text mail (which has no pixel) never wears an open badge; the verbose form, in the message header,
 * also shows the zeros, except opens when the mail cannot record one (canOpen false: no HTML). The figures are a
 * recipient's people (human hits); proxy/scanner hits and Mailbeacon's own (sandbox) hits are named beside them.
 */
export function TrackingBadges({
  counts,
  verbose,
  canOpen = true,
}: {
  counts: TrackingCounts | undefined;
  verbose?: boolean;
  canOpen?: boolean;
}) {
  if (!counts) return null;
  const showOpens = counts.opens > 0 || (verbose && canOpen);
  const machine = counts.machine ?? { opens: 0, clicks: 0 };
  const sandbox = counts.sandbox ?? { opens: 0, clicks: 0, unsubscribed: false };
  const machineHits = machine.opens + machine.clicks;
  const sandboxHits = sandbox.opens + sandbox.clicks + (sandbox.unsubscribed ? 1 : 0);
  return (
    <span className="badges">
      {showOpens && (
        <span
          className={counts.opens > 0 ? 'badge badge-open' : 'badge badge-zero'}
          title={
            `Opened ${counts.opens}× by people (${counts.uniqueOpens} unique)` +
            ` · not counted: ${machine.opens} proxy, ${sandbox.opens} sandbox`
          }
        >
          {verbose ? (
            `opened ${counts.opens}×`
          ) : (
            <>
              <EyeIcon /> {counts.opens}
            </>
          )}
        </span>
      )}
      {(counts.clicks > 0 || verbose) && (
        <span
          className={counts.clicks > 0 ? 'badge badge-click' : 'badge badge-zero'}
          title={
            `Clicked ${counts.clicks}× by people (${counts.uniqueClicks} unique)` +
            ` · not counted: ${machine.clicks} scanner, ${sandbox.clicks} sandbox`
          }
        >
          {verbose ? (
            `clicked ${counts.clicks}×`
          ) : (
            <>
              <ClickIcon /> {counts.clicks}
            </>
          )}
        </span>
      )}
      {counts.unsubscribed ? (
        <span className="badge badge-unsub" title="The recipient unsubscribed">
          unsubscribed
        </span>
      ) : (
        verbose && <span className="badge badge-zero">not unsubscribed</span>
      )}
      {verbose && (machineHits > 0 || sandboxHits > 0) && (
        <span
          className="badge badge-zero"
          data-testid="badge-beside"
          title="Hits that are not a person's: mail providers' image proxies and link scanners, and Mailbeacon's preview and simulations"
        >
          not counted: {machineHits} proxy/scanner · {sandboxHits} sandbox
        </span>
      )}
    </span>
  );
}
