// Queries for the app-wide resources several screens share.
import { useQuery } from '@tanstack/react-query';
import type { AppInformation, RelayEntry, WebhookDelivery } from '../../../src-main/wire/types';
import { api } from './client';
import { queryKeys } from './queryKeys';

export interface RelayConfig {
  enabled: boolean;
  url: string;
  [key: string]: unknown;
}

export interface RelayStatusResponse {
  entries: RelayEntry[];
  config: RelayConfig;
}

export function useInfo() {
  return useQuery({
    queryKey: queryKeys.info,
    queryFn: ({ signal }) => api.get<AppInformation>('info', signal),
  });
}

export function useRelay() {
  return useQuery({
    queryKey: queryKeys.relay,
    queryFn: ({ signal }) => api.get<RelayStatusResponse>('relay', signal),
  });
}

export interface WebhooksResponse {
  deliveries: WebhookDelivery[];
  /** The configured endpoints and event types. */
  config?: { urls: string[]; events: string[] };
}

export function useWebhookDeliveries() {
  return useQuery({
    queryKey: queryKeys.webhooks,
    queryFn: ({ signal }) => api.get<WebhooksResponse>('webhooks/deliveries', signal),
  });
}

export function useSettings() {
  return useQuery({
    queryKey: queryKeys.settings,
    queryFn: ({ signal }) => api.get<Record<string, unknown>>('settings', signal),
  });
}
