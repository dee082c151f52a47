// The inboxes the switcher offers: every inbox the caller may see, and whether "All inboxes" is open to them.
import { useEffect } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { InboxSummary } from '../../../src-main/wire/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { useLive } from '../live/LiveProvider';
import { CURRENT_INBOX } from './inboxBase';

export interface InboxList {
  inboxes: InboxSummary[];
  /** The unscoped view answered: "All inboxes" can be offered. */
  all: boolean;
}

async function loadInboxes(signal: AbortSignal): Promise<InboxList> {
  if (CURRENT_INBOX === undefined) {
    const { Inboxes } = await api.get<{ Inboxes: InboxSummary[] }>('inboxes', signal);
    return { inboxes: Inboxes, all: true };
  }
  // On an inbox's page: its own entry from its scoped list, the others from the unscoped one when it answers.
  const own = (await api.get<{ Inboxes: InboxSummary[] }>('inboxes', signal)).Inboxes;
  try {
    const { Inboxes } = await api.getUnscoped<{ Inboxes: InboxSummary[] }>('/api/v1/inboxes', signal);
    const names = new Set(own.map((i) => i.Name));
    const merged = [...own, ...Inboxes.filter((i) => !names.has(i.Name))];
    return { inboxes: merged.sort((a, b) => a.Name.localeCompare(b.Name)), all: true };
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    return { inboxes: own, all: false };
  }
}

export function useInboxes() {
  const client = useQueryClient();
  const live = useLive();
  // Counts follow the mail: any change of mail on the hub refreshes them (react-query drops repeats in flight).
  useEffect(
    () =>
      live.subscribe((update) => {
        if (update.type !== 'event') void client.invalidateQueries({ queryKey: queryKeys.inboxes });
      }),
    [live, client],
  );
  return useQuery({ queryKey: queryKeys.inboxes, queryFn: ({ signal }) => loadInboxes(signal) });
}
