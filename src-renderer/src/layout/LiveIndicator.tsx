import { useEffect, useState } from 'react';
import { useLive } from '../live/LiveProvider';

const LABELS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  down: 'offline',
} as const;

export function LiveIndicator() {
  const { state } = useLive();
  return (
    <div
      className={`live live-${state}`}
      title={`Live updates: ${LABELS[state]}`}
      data-testid="live-indicator"
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="nav-label">{LABELS[state]}</span>
    </div>
  );
}

/** Shown while the live link is broken: what it means, when it retries, and a button to retry now. */
export function LiveBanner() {
  const { state, retryAt, retryNow } = useLive();
  const [now, setNow] = useState(() => Date.now());
  const broken = state === 'down' || state === 'reconnecting';
  useEffect(() => {
    if (!broken) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [broken]);
  if (!broken) return null;
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
  return (
    <div className="banner banner-warn" role="status" data-testid="live-banner">
      <span>
        <strong>Live updates paused: reconnecting…</strong> {seconds > 0 ? `Next try in ${seconds} s. ` : ''}
        The server does not answer; what you see may be out of date.
      </span>
      <button type="button" className="btn btn-small" onClick={retryNow}>
        Retry now
      </button>
    </div>
  );
}
