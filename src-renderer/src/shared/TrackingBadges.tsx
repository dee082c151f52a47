import type { TrackingCounts } from '../../../src-main/api/types';
import { ClickIcon, EyeIcon } from './icons';

/**
 * Opens, clicks and unsubscribe as small badges; zero counts stay quiet so active mails stand out. The figures are
 * a recipient's people (human hits); proxy/scanner hits and Mailbeacon's own (sandbox) hits are named beside them.
 */
export function TrackingBadges({
  counts,
  verbose,
}: {
  counts: TrackingCounts | undefined;
  verbose?: boolean;
}) {
  if (!counts) return null;
  const machine = counts.machine ?? { opens: 0, clicks: 0 };
  const sandbox = counts.sandbox ?? { opens: 0, clicks: 0, unsubscribed: false };
  const machineHits = machine.opens + machine.clicks;
  const sandboxHits = sandbox.opens + sandbox.clicks + (sandbox.unsubscribed ? 1 : 0);
  return (
    <span className="badges">
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
