import type { TrackingCounts } from '../../../src-main/api/types';
import { ClickIcon, EyeIcon } from './icons';

/** Opens, clicks and unsubscribe as small badges; zero counts stay quiet so active mails stand out. */
export function TrackingBadges({
  counts,
  verbose,
}: {
  counts: TrackingCounts | undefined;
  verbose?: boolean;
}) {
  if (!counts) return null;
  return (
    <span className="badges">
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
