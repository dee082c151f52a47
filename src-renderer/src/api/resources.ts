// Queries for the app-wide resources several screens share.
import { useQuery } from '@tanstack/react-query';
import type {
  AppInformation,
  RelayResponse,
  SettingsResponse,
  WebhooksResponse,
} from '../../../src-main/wire/types';
import { api } from './client';
import { queryKeys } from './queryKeys';

export function useInfo() {
  return useQuery({
    queryKey: queryKeys.info,
    queryFn: ({ signal }) => api.get<AppInformation>('info', signal),
  });
}

export function useRelay() {
  return useQuery({
    queryKey: queryKeys.relay,
    queryFn: ({ signal }) => api.get<RelayResponse>('relay', signal),
  });
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
    queryFn: ({ signal }) => api.get<SettingsResponse>('settings', signal),
  });
}
