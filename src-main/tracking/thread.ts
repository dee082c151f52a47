import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger, LogLine } from '../logger.js';
import { PortInUseError } from '../net/listen.js';
import type { HostRules } from '../net/host-check.js';
import type { HttpLimits } from '../net/http-limits.js';
import type { Hit, HitSink } from './hits.js';
import type { TokenKind } from '../model/tracking.js';
import type { TokenMode, TokenPayload } from './token.js';

/** The tracking listener, wherever it runs. */
export interface TrackingListener {
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
}

/** What the thread needs to run the listener: plain data. */
export interface TrackingWorkerData {
  mode: TokenMode;
  keys: Uint8Array[];
  allowHosts: string[];
  sandboxKey?: Uint8Array;
  trustedProxies?: string[];
  hostRules?: HostRules;
  limits?: Partial<HttpLimits>;
  host: string;
  port: number;
}

export type FromTrackingWorker =
  | { type: 'listening'; host: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'hits'; seq: number; hits: string }
  | { type: 'log'; level: LogLine['level']; message: string }
  | { type: 'closed' };

export type ToTrackingWorker = { type: 'stored'; seq: number; error?: string } | { type: 'close' };

/** A thread that has died more often than this is replaced by the listener on the main thread. */
const MAX_RESTARTS = 5;
/** close() waits this long at most for the thread to hand over its last hits. */
const CLOSE_TIMEOUT_MS = 5_000;

export interface TrackingThreadOptions {
  mode: TokenMode;
  keys: Buffer[];
  allowHosts: string[];
  /** See TrackingServerOptions: settings the listener needs on whichever thread it runs. */
  sandboxKey?: Uint8Array;
  trustedProxies?: string[];
  /** Which Host names the listener answers (see TrackingServerOptions). */
  hostRules?: HostRules;
  /** Timeouts and the connection cap of the listener (see TrackingServerOptions). */
  limits?: Partial<HttpLimits>;
  /** Stores the hits the thread hands over (a HitRecorder, on this thread). */
  sink: HitSink;
  logger: Logger;
  /** The listener on this thread, for when no thread can run it. */
  inline: () => TrackingListener;
  /** Starts the thread (workers/tracking.ts) with this data. */
  spawn: (data: TrackingWorkerData) => Worker;
}

/**
 * Whether the listener gets a thread of its own when the settings do not say: with three or more cores. The thread
 * moves most of a hit's work off the main thread but costs more CPU per hit (the batches cross threads) and memory;
 * on two cores, which it shares with the main thread and with whatever sends the requests, it measured a lower and
 * less steady rate and a higher p99 (docs/TRACKING-BENCH.md). The same rule as the prepare pool's.
 */
export const defaultTrackingThread = (): boolean => availableParallelism() >= 3;

/** The listener could not bind (a port in use…): the same on any thread, so not a reason to fall back. */
class ListenFailure extends Error {}

/**
 * The tracking listener on a thread of its own. Reading HTTP requests and opening tokens are most of what a hit
 * costs, and the main thread has the mail, the API and the hub to serve; the thread hands each turn's hits to
 * the main thread, which stores them in its shared commit and says when they are durable, and only then answers
 * them. A thread that dies is restarted on the same port; if none can run, the listener runs on the main thread.
 */
export class TrackingThread implements TrackingListener {
  readonly #options: TrackingThreadOptions;
  #worker?: Worker;
  #inline?: TrackingListener;
  #restarts = 0;
  #closing = false;

  constructor(options: TrackingThreadOptions) {
    this.#options = options;
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    try {
      return await this.#start(host, port);
    } catch (err) {
      if (err instanceof ListenFailure || err instanceof PortInUseError || this.#closing) throw err;
      return this.#fallBack(host, port, (err as Error).message);
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#inline?.close();
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.on('message', (message: FromTrackingWorker) => {
        if (message.type === 'closed') finish();
      });
      worker.once('exit', finish);
      worker.postMessage({ type: 'close' } satisfies ToTrackingWorker);
    });
    await worker.terminate();
  }

  /** Starts a thread listening on host:port; the address it got, once it listens. */
  #start(host: string, port: number): Promise<{ host: string; port: number }> {
    const { mode, keys, allowHosts, hostRules, limits, sandboxKey, trustedProxies, sink, logger } =
      this.#options;
    const data: TrackingWorkerData = {
      mode,
      keys,
      allowHosts,
      hostRules,
      limits,
      sandboxKey,
      trustedProxies,
      host,
      port,
    };
    let worker: Worker;
    try {
      worker = this.#options.spawn(data);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // The listener inside keeps the thread busy; the process's own handles decide when it may exit.
    worker.unref();
    this.#worker = worker;
    return new Promise((resolve, reject) => {
      let bound: { host: string; port: number } | undefined;
      worker.on('message', (message: FromTrackingWorker) => {
        switch (message.type) {
          case 'hits': {
            const stored = (err?: Error) =>
              worker.postMessage({
                type: 'stored',
                seq: message.seq,
                error: err?.message,
              } satisfies ToTrackingWorker);
            try {
              sink.store(unpackHits(message.hits), stored);
            } catch (err) {
              // Only a bug could throw here: it must not take the process down, and the thread must still answer.
              logger.error(`tracking hits could not be stored: ${(err as Error).message}`);
              stored(err as Error);
            }
            return;
          }
          case 'log':
            logger[message.level](message.message);
            return;
          case 'listening':
            bound = { host: message.host, port: message.port };
            resolve(bound);
            return;
          case 'failed':
            this.#worker = undefined;
            void worker.terminate();
            // A taken port is the same error as on any other listener, so the desktop app can offer another.
            reject(
              message.code === 'EADDRINUSE'
                ? new PortInUseError('tracking', host, port)
                : new ListenFailure(message.message),
            );
            return;
        }
      });
      worker.on('error', (err) => logger.error(`the tracking thread failed: ${err.message}`));
      worker.on('exit', (code) => {
        const current = this.#worker === worker;
        if (current) this.#worker = undefined;
        if (!bound) reject(new Error(`the tracking thread exited with code ${code} before listening`));
        else if (current && !this.#closing) this.#lost(bound.host, bound.port, code);
      });
    });
  }

  /** The thread died while serving: a new one takes the same port, so the links in caught mail keep working. */
  #lost(host: string, port: number, code: number): void {
    if (++this.#restarts > MAX_RESTARTS) {
      void this.#fallBack(host, port, 'the tracking thread keeps dying').catch((err: Error) =>
        this.#options.logger.error(err.message),
      );
      return;
    }
    this.#options.logger.warn(`the tracking thread exited with code ${code}; starting a new one`);
    this.listen(host, port).catch((err: Error) => {
      if (!this.#closing) this.#options.logger.error(err.message);
    });
  }

  /** How long the thread's event loop has been busy so far, in ms; undefined when no thread runs the listener. */
  get busyMs(): number | undefined {
    return this.#worker?.performance.eventLoopUtilization().active;
  }

  #fallBack(host: string, port: number, reason: string): Promise<{ host: string; port: number }> {
    this.#options.logger.warn(`the tracking listener runs on the main thread: ${reason}`);
    this.#inline = this.#options.inline();
    return this.#inline.listen(host, port);
  }
}

/** A hit as one JSON array; the times (bigints) as decimal text. */
type PackedHit = [
  id: string,
  kind: TokenKind,
  url: string | null,
  metadata: Record<string, string>,
  tokenTs: string,
  exp: number | null,
  method: string,
  ua: string,
  remoteIp: string,
  ts: string,
  /** 0 recipient, 1 preview, 2 simulated. */
  source: 0 | 1 | 2,
  ageMs: number | null,
];

/**
 * A batch of hits as one JSON text, to cross to the main thread. Structured cloning the objects themselves cost
 * several times more (every object writes its keys): a string crosses as one copy, and
 * JSON.parse on the other side is V8's fastest way to build the objects again.
 */
export function packHits(hits: Hit[]): string {
  const rows: PackedHit[] = new Array(hits.length);
  for (let i = 0; i < hits.length; i++) {
    const { payload, method, ua, remoteIp, ts, source, ageMs } = hits[i]!;
    rows[i] = [
      payload.id,
      payload.kind,
      payload.url ?? null,
      payload.metadata,
      payload.ts.toString(),
      payload.exp ?? null,
      method,
      ua,
      remoteIp,
      ts.toString(),
      source === 'preview' ? 1 : source === 'simulated' ? 2 : 0,
      ageMs ?? null,
    ];
  }
  return JSON.stringify(rows);
}

export function unpackHits(packed: string): Hit[] {
  const rows = JSON.parse(packed) as PackedHit[];
  const hits: Hit[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [id, kind, url, metadata, tokenTs, exp, method, ua, remoteIp, ts, source, ageMs] = rows[i]!;
    const payload: TokenPayload = { id, kind, metadata, ts: BigInt(tokenTs) };
    if (url !== null) payload.url = url;
    if (exp !== null) payload.exp = exp;
    const hit: Hit = {
      payload,
      method,
      ua,
      remoteIp,
      ts: BigInt(ts),
      source: source === 1 ? 'preview' : source === 2 ? 'simulated' : 'recipient',
    };
    if (ageMs !== null) hit.ageMs = ageMs;
    hits[i] = hit;
  }
  return hits;
}
