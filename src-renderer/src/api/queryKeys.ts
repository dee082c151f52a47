// Every cached resource has one key shape here, so live updates know exactly what to refresh.
import type { CountScope } from '../../../src-main/wire/types';
import type { EventFilter } from '../events/eventFilter';

export const queryKeys = {
  messagesAll: ['messages'] as const,
  messagesPage: (query: string, page: number, scope: CountScope = 'with-simulated') =>
    ['messages', query, page, scope] as const,
  message: (id: string) => ['message', id] as const,
  headers: (id: string) => ['message', id, 'headers'] as const,
  raw: (id: string, version: 'original' | 'tracked') => ['message', id, 'raw', version] as const,
  tracking: (id: string) => ['message', id, 'tracking'] as const,
  messageEvents: (id: string) => ['message', id, 'events'] as const,
  eventsAll: ['events'] as const,
  events: (filter: EventFilter) => ['events', filter] as const,
  stats: ['stats'] as const,
  statsFor: (filter: EventFilter, scope: CountScope) => ['stats', scope, filter.range] as const,
  relay: ['relay'] as const,
  webhooks: ['webhooks'] as const,
  info: ['info'] as const,
  settings: ['settings'] as const,
};
