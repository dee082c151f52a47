import { useLive } from '../live/LiveProvider';

/** "Loading…" while the server answers; "offline" while the live link says it does not, so no pane waits in silence. */
export function Loading({ className = 'muted pad' }: { className?: string }) {
  const { state } = useLive();
  const offline = state === 'down' || state === 'reconnecting';
  return (
    <p className={className} data-testid={offline ? 'offline' : 'loading'}>
      {offline ? 'Offline: waiting for the server to answer…' : 'Loading…'}
    </p>
  );
}
