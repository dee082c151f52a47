import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { EventsResponse, Message, MessageTracking } from '../../../src-main/wire/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { useSetRead } from '../inbox/actions';

const enc = encodeURIComponent;

/** The opened mail; opening it marks it read (the GET itself changes nothing on the server). */
export function useMessage(id: string) {
  const query = useQuery({
    queryKey: queryKeys.message(id),
    queryFn: ({ signal }) => api.get<Message>(`message/${enc(id)}`, signal),
  });
  const { mutate: setRead } = useSetRead();
  const openedId = query.data?.ID;
  useEffect(() => {
    if (openedId) setRead({ ids: [openedId], read: true });
  }, [openedId, setRead]);
  return query;
}

export function useTracking(id: string) {
  return useQuery({
    queryKey: queryKeys.tracking(id),
    queryFn: ({ signal }) => api.get<MessageTracking>(`message/${enc(id)}/tracking`, signal),
  });
}

export function useMessageEvents(id: string) {
  return useQuery({
    queryKey: queryKeys.messageEvents(id),
    queryFn: ({ signal }) => api.get<EventsResponse>(`message/${enc(id)}/events`, signal),
  });
}

export function useHeaders(id: string) {
  return useQuery({
    queryKey: queryKeys.headers(id),
    queryFn: ({ signal }) => api.get<Record<string, string[]>>(`message/${enc(id)}/headers`, signal),
  });
}

export function useRaw(id: string, version: 'original' | 'tracked', enabled = true) {
  return useQuery({
    queryKey: queryKeys.raw(id, version),
    enabled,
    queryFn: ({ signal }) =>
      api.text(`message/${enc(id)}/raw${version === 'tracked' ? '?version=tracked' : ''}`, signal),
  });
}

export function partPath(id: string, partId: string): string {
  return `message/${enc(id)}/part/${enc(partId)}`;
}
