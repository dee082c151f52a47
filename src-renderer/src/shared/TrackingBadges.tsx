import type { TrackingCounts } from '../../../src-main/wire/types';
import { countsIn, sourceLabel, useCountScope } from './countScope';
import { ClickIcon, EyeIcon } from './icons';

/**
 * Opens, clicks and unsubscribe as small badges, counted as docs/TRACKING.md defines them: people's hits from
 * recipients and simulated recipients (or real recipients only, with the switch), each figure saying whose hits it
 * holds ("opened 1× · simulated"). In list rows only what happened shows, so active mails stand out and a
 * plain-text mail (which has no pixel) never wears an open badge; the verbose form, in the message header, also
 * shows the zeros, except opens when the mail cannot record one (canOpen false: no HTML). Machine hits and the
 * user's own preview hits are named beside them, never inside.
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
  const scope = useCountScope();
  if (!counts) return null;
  const shown = countsIn(counts, scope);
  const real = counts.recipients ?? counts;
  const machine = shown.machine ?? { opens: 0, clicks: 0 };
  const preview = counts.preview ?? { opens: 0, clicks: 0, unsubscribed: false };
  const machineHits = machine.opens + machine.clicks;
  const previewHits = preview.opens + preview.clicks + (preview.unsubscribed ? 1 : 0);
  // Simulated hits: inside the figures by default, left out (and named) with "real recipients only".
  const simulatedOpens = counts.opens - real.opens;
  const simulatedClicks = counts.clicks - real.clicks;
  const excluded = scope === 'recipients' ? simulatedOpens + simulatedClicks : 0;
  const whose = (all: number, recipient: number) =>
    scope === 'recipients' ? '' : sourceLabel(recipient, all - recipient);
  const openWhose = whose(counts.opens, real.opens);
  const clickWhose = whose(counts.clicks, real.clicks);
  const showOpens = shown.opens > 0 || (verbose && canOpen);
  return (
    <span className="badges">
      {showOpens && (
        <span
          className={shown.opens > 0 ? 'badge badge-open' : 'badge badge-zero'}
          data-testid="badge-opens"
          data-count={shown.opens}
          title={
            `Opened ${shown.opens}× by people (${shown.uniqueOpens} unique)` +
            (openWhose ? `: ${openWhose}` : '') +
            ` · not counted: ${machine.opens} proxy, ${preview.opens} your preview`
          }
        >
          {verbose ? (
            `opened ${shown.opens}×${openWhose ? ` · ${openWhose}` : ''}`
          ) : (
            <>
              <EyeIcon /> {shown.opens}
            </>
          )}
        </span>
      )}
      {(shown.clicks > 0 || verbose) && (
        <span
          className={shown.clicks > 0 ? 'badge badge-click' : 'badge badge-zero'}
          data-testid="badge-clicks"
          data-count={shown.clicks}
          title={
            `Clicked ${shown.clicks}× by people (${shown.uniqueClicks} unique)` +
            (clickWhose ? `: ${clickWhose}` : '') +
            ` · not counted: ${machine.clicks} scanner, ${preview.clicks} your preview`
          }
        >
          {verbose ? (
            `clicked ${shown.clicks}×${clickWhose ? ` · ${clickWhose}` : ''}`
          ) : (
            <>
              <ClickIcon /> {shown.clicks}
            </>
          )}
        </span>
      )}
      {shown.unsubscribed ? (
        <span className="badge badge-unsub" data-testid="badge-unsub" title="Unsubscribed (one-click)">
          unsubscribed{verbose && scope !== 'recipients' && !real.unsubscribed ? ' · simulated' : ''}
        </span>
      ) : (
        verbose && <span className="badge badge-zero">not unsubscribed</span>
      )}
      {verbose && (machineHits > 0 || previewHits > 0 || excluded > 0) && (
        <span
          className="badge badge-zero"
          data-testid="badge-beside"
          title="Hits not counted as people's: mail providers' image proxies and link scanners, your own reading in the preview, and (with real recipients only) simulated hits"
        >
          not counted: {machineHits} proxy/scanner · {previewHits} your preview
          {excluded > 0 ? ` · ${excluded} simulated` : ''}
        </span>
      )}
    </span>
  );
}
