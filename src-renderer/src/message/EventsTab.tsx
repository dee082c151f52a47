import { ErrorNotice } from '../shared/ErrorNotice';
import { EventHead, EventRow } from '../events/EventRow';
import { useMessageEvents, useTracking } from './useMessage';
import { Loading } from '../shared/Loading';

export function EventsTab({ id }: { id: string }) {
  const events = useMessageEvents(id);
  const tracking = useTracking(id);
  if (events.isPending) return <Loading />;
  if (events.isError) return <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />;
  const linkByToken = new Map((tracking.data?.links ?? []).map((l) => [l.tokenId, l.index]));
  if (events.data.events.length === 0)
    return (
      <p className="muted pad" data-testid="no-events">
        Nothing yet. Opening the Preview tab records a sandbox open; clicking a link in it a sandbox click;
        the Simulate menu imitates real recipients. Events appear here live.
      </p>
    );
  // A wide timeline scrolls in its own box, so the pane's other content keeps its place.
  return (
    <div className="table-scroll">
      <table className="table events-table" data-testid="message-events">
        <EventHead />
        <tbody>
          {events.data.events.map((e) => (
            <EventRow key={e.id} event={e} linkNumber={linkByToken.get(e.token_id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
