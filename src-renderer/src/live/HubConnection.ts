// The live link to the Mercure hub. The browser's EventSource already reconnects with Last-Event-ID after a dropped
// stream; this class covers what it does not: a stream the browser gave up on (HTTP error, server restart), which
// is retried with backoff, and a visible state so the UI can say "reconnecting" instead of silently going stale.

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'down';

export interface HubConnectionOptions {
  /** Hub path, same-origin. */
  url: string;
  topics: string[];
  onUpdate: (data: unknown) => void;
  onState: (state: LinkState, retryAt: number | null) => void;
  /** Called after a connection came back, because updates may have been missed beyond the hub's history. */
  onResync: () => void;
  createEventSource?: (url: string) => EventSource;
}

/** First retry after a dropped stream: a blip is over before anyone notices. */
const FIRST_RETRY_MS = 250;
/**
 * The hub is the same server the page came from, usually on loopback: a retry against a stopped one is a refused
 * connection and costs nothing, so the cap is what makes a restarted `mailbeacon serve` live again within seconds.
 */
const MAX_RETRY_MS = 2_000;
/**
 * Native reconnects that fail in a row before we close and take over. The browser waits its own 3 s between tries
 * (the hub sends no `retry:`), too slow for a restart; our retries carry the last event id in the URL, as it would.
 */
const NATIVE_FAILURES_BEFORE_TAKEOVER = 1;

export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt));
}

export function hubUrl(base: string, topics: string[], lastEventId: string | null): string {
  const params = new URLSearchParams();
  for (const t of topics) params.append('topic', t);
  // EventSource cannot set headers on a fresh connection; the hub also takes the id as a query parameter.
  if (lastEventId) params.set('lastEventID', lastEventId);
  return `${base}?${params.toString()}`;
}

export class HubConnection {
  private readonly options: HubConnectionOptions;
  private source: EventSource | null = null;
  private lastEventId: string | null = null;
  private attempt = 0;
  private nativeFailures = 0;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;

  constructor(options: HubConnectionOptions) {
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.source?.close();
    this.source = null;
  }

  /** The "Retry now" button: skip the rest of the backoff. */
  retryNow(): void {
    if (this.stopped) return;
    this.clearTimer();
    this.source?.close();
    this.source = null;
    this.connect();
  }

  private connect(): void {
    this.options.onState(this.everOpened ? 'reconnecting' : 'connecting', null);
    const url = hubUrl(this.options.url, this.options.topics, this.lastEventId);
    const source = this.options.createEventSource
      ? this.options.createEventSource(url)
      : new EventSource(url, { withCredentials: true });
    this.source = source;

    source.onopen = () => {
      if (this.source !== source) return;
      const wasBroken = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.nativeFailures = 0;
      this.options.onState('live', null);
      if (wasBroken) this.options.onResync();
    };

    source.onmessage = (ev: MessageEvent) => {
      if (this.source !== source) return;
      if (ev.lastEventId) this.lastEventId = ev.lastEventId;
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        console.warn('[hub] ignored an update that is not JSON');
        return;
      }
      this.options.onUpdate(data);
    };

    source.onerror = () => {
      if (this.source !== source || this.stopped) return;
      this.nativeFailures++;
      if (source.readyState === source.CONNECTING && this.nativeFailures < NATIVE_FAILURES_BEFORE_TAKEOVER) {
        // The browser is already reconnecting, with Last-Event-ID.
        this.options.onState('reconnecting', null);
        return;
      }
      source.close();
      this.source = null;
      const delay = retryDelay(this.attempt++);
      this.options.onState('down', Date.now() + delay);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (!this.stopped) this.connect();
      }, delay);
    };
  }

  private clearTimer(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
