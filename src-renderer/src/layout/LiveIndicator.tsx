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
      title={`Live updates from the hub: ${LABELS[state]}`}
      data-testid="live-indicator"
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="nav-label">{LABELS[state]}</span>
    </div>
  );
}

/** Shown only while the live link is down: what is wrong, when it retries, and a button to retry now. */
export function LiveBanner() {
  const { state, retryAt, retryNow } = useLive();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state !== 'down') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [state]);
  if (state !== 'down') return null;
  const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : null;
  return (
    <div className="banner banner-warn" role="status">
      <span>
        Live updates are off: the hub at <code>/.well-known/mercure</code> is unreachable.
        {seconds !== null && ` Retrying in ${seconds} s.`} What you see may be out of date.
      </span>
      <button type="button" className="btn btn-small" onClick={retryNow}>
        Retry now
      </button>
    </div>
  );
}
