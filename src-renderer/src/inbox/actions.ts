// Changes to mail made from the inbox. The hub reports them back too, but the cache is updated at once so the UI
// does not wait for the round trip (and still shows the change when the live link is down).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import type { InboxMoveResult } from '../../../src-main/wire/types';
import { setReadInCache } from '../live/applyUpdate';

export function useSetRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, read }: { ids: string[]; read: boolean }) =>
      api.send('PUT', 'messages', { IDs: ids, Read: read }),
    onSuccess: (_data, { ids, read }) => {
      setReadInCache(client, ids, read);
      void client.invalidateQueries({ queryKey: queryKeys.messagesAll });
      void client.invalidateQueries({ queryKey: queryKeys.info });
    },
  });
}

/** ids: those mails; [] with a query: every mail the search matches; [] without: everything. */
export function useDeleteMessages() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, query }: { ids: string[]; query: string }) =>
      ids.length === 0 && query
        ? api.send('DELETE', `search?query=${encodeURIComponent(query)}`)
        : api.send('DELETE', 'messages', { IDs: ids }),
    onSuccess: (_data, { ids }) => {
      for (const id of ids) client.removeQueries({ queryKey: queryKeys.message(id) });
      void client.invalidateQueries({ queryKey: queryKeys.messagesAll });
      void client.invalidateQueries({ queryKey: queryKeys.info });
      void client.invalidateQueries({ queryKey: queryKeys.stats });
    },
  });
}

/** The Mailpit send API, with a mail that has a link, so the tracking is visible right away. */
export function useSendSample() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      api.send('POST', 'send', {
        From: { Email: 'shop@acme.test', Name: 'Acme Shop' },
        To: [{ Email: 'ann@example.org', Name: 'Ann Example' }],
        Subject: 'Welcome to Acme',
        Text: 'Hi Ann, thanks for signing up. Get started: https://acme.test/start',
        HTML:
          '<!doctype html><html><body style="font-family:sans-serif">' +
          '<h1 style="color:#2563eb">Welcome to Acme</h1>' +
          '<p>Hi Ann, thanks for signing up.</p>' +
          '<p><a href="https://acme.test/start">Get started</a> or read the <a href="https://acme.test/docs">docs</a>.</p>' +
          '<p style="color:#666;font-size:12px"><a href="mailto:help@acme.test">help@acme.test</a></p>' +
          '</body></html>',
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.messagesAll });
      void client.invalidateQueries({ queryKey: queryKeys.info });
    },
  });
}

/** Moves mails into another inbox; on an inbox's page they leave its list, so their cached copies go too. */
export function useMoveMessages() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ ids, to }: { ids: string[]; to: string }) =>
      api.send<InboxMoveResult>('POST', `inboxes/${encodeURIComponent(to)}/messages`, { IDs: ids }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.messagesAll });
      void client.invalidateQueries({ queryKey: queryKeys.inboxes });
      void client.invalidateQueries({ queryKey: queryKeys.info });
      void client.invalidateQueries({ queryKey: queryKeys.stats });
    },
  });
}
