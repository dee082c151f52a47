// Says so while chaos triggers make SMTP answer errors on purpose, so a failing send is not a mystery.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

interface Trigger {
  ErrorCode: number;
  Probability: number;
}

const STAGE: Record<string, string> = { Sender: 'MAIL FROM', Recipient: 'RCPT TO', Authentication: 'AUTH' };

export function ChaosBadge() {
  const webui = useQuery({
    queryKey: ['webui'],
    queryFn: ({ signal }) => api.get<{ ChaosEnabled?: boolean }>('webui', signal),
  });
  const enabled = webui.data?.ChaosEnabled === true;
  // Triggers change through the API from anywhere (a test suite); look again now and then while it is enabled.
  const chaos = useQuery({
    queryKey: ['chaos'],
    queryFn: ({ signal }) => api.get<Record<string, Trigger>>('chaos', signal),
    enabled,
    refetchInterval: 5_000,
  });
  const active = Object.entries(chaos.data ?? {}).filter(([, t]) => t.Probability > 0);
  if (!enabled || active.length === 0) return null;
  const detail = active
    .map(([stage, t]) => `${STAGE[stage] ?? stage} ${t.ErrorCode} (${t.Probability}%)`)
    .join(', ');
  return (
    <div className="notice notice-warn chaos-badge" role="status" data-testid="chaos-badge">
      <strong>Chaos is on:</strong> SMTP answers errors on purpose: {detail}. Reset with PUT /api/v1/chaos{' '}
      {'{}'}.
    </div>
  );
}
