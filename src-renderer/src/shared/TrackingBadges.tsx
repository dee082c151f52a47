import type { TrackingCounts } from '../../../src-main/api/types';
import { ClickIcon, EyeIcon } from './icons';

/**
 * Opens, clicks and unsubscribe as small badges. In list rows only what happened shows, so active mails stand out
 * and a plain-text mail (which has no pixel) never wears an open badge; the verbose form, in the message header,
 * also shows the zeros, except opens when the mail cannot record one (canOpen false: no HTML).
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
  return (
    <span className="badges">
      {showOpens && (
        <span
          className={counts.opens > 0 ? 'badge badge-open' : 'badge badge-zero'}
          title={`Opened ${counts.opens}× (${counts.uniqueOpens} unique)`}
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
          title={`Clicked ${counts.clicks}× (${counts.uniqueClicks} unique links)`}
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
    </span>
  );
}
