// Keeps one hub connection for the whole app and tells every screen whether it is live.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { TOPIC_EVENTS, TOPIC_MESSAGES } from '../../../src-main/wire/types';
import { HubConnection, type LinkState } from './HubConnection';
import { CacheUpdater, type HubUpdate } from './applyUpdate';

export const HUB_PATH = '/.well-known/mercure';

interface LiveContextValue {
  state: LinkState;
  retryAt: number | null;
  retryNow: () => void;
  subscribe: (listener: (update: HubUpdate) => void) => () => void;
}

const LiveContext = createContext<LiveContextValue | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LinkState>('connecting');
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [parts] = useState(() => {
    const updater = new CacheUpdater(client);
    const connection = new HubConnection({
      url: HUB_PATH,
      topics: [TOPIC_MESSAGES, TOPIC_EVENTS],
      onUpdate: (data) => updater.apply(data),
      onState: (s, at) => {
        setState(s);
        setRetryAt(at);
      },
      onResync: () => updater.resync(),
    });
    return { updater, connection };
  });

  useEffect(() => {
    parts.connection.start();
    return () => {
      parts.connection.stop();
      parts.updater.stop();
    };
  }, [parts]);

  const value = useMemo<LiveContextValue>(
    () => ({
      state,
      retryAt,
      retryNow: () => parts.connection.retryNow(),
      subscribe: (listener) => parts.updater.subscribe(listener),
    }),
    [state, retryAt, parts],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveContextValue {
  const ctx = useContext(LiveContext);
  if (!ctx) throw new Error('[ui] useLive outside LiveProvider');
  return ctx;
}
