import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheUpdater } from './applyUpdate';

const clients: QueryClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.clear();
});

/** Watches a query as a mounted component would, and waits until it settles in the wanted status. */
function observe(client: QueryClient, key: readonly unknown[], fetcher: () => Promise<string>) {
  const observer = new QueryObserver(client, { queryKey: key, queryFn: fetcher, retry: false });
  const unsubscribe = observer.subscribe(() => {});
  const settled = (status: 'success' | 'error') =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (observer.getCurrentResult().status === status && !observer.getCurrentResult().isFetching) {
          stop();
          resolve();
        }
      };
      const stop = observer.subscribe(check);
      check();
    });
  return { observer, unsubscribe, settled };
}

describe('resync after the live link comes back', () => {
  it('fetches again a mail that failed while the link was down, and leaves loaded mails alone', async () => {
    const client = new QueryClient();
    clients.push(client);
    let serverUp = false;
    let failedFetches = 0;
    let loadedFetches = 0;
    const failed = observe(client, ['message', 'a'], async () => {
      failedFetches++;
      if (!serverUp) throw new Error('connection refused');
      return 'mail a';
    });
    const loaded = observe(client, ['message', 'b'], async () => {
      loadedFetches++;
      return 'mail b';
    });
    await failed.settled('error');
    await loaded.settled('success');
    expect(failedFetches).toBe(1);

    serverUp = true;
    new CacheUpdater(client).resync();
    await failed.settled('success');
    expect(failed.observer.getCurrentResult().data).toBe('mail a');
    // A loaded mail is not fetched again: its GET would mark it read.
    expect(loadedFetches).toBe(1);
    failed.unsubscribe();
    loaded.unsubscribe();
  });
});
