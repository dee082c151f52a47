// A thread that runs the tracking listener (see thread.ts): it reads requests and tokens and answers them; the main
// thread stores the hits.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, systemClock } from '../logger.js';
import type { HitSink } from '../tracking/hits.js';
import { TrackingServer } from '../tracking/server.js';
import {
  packHits,
  type FromTrackingWorker,
  type ToTrackingWorker,
  type TrackingWorkerData,
} from '../tracking/thread.js';
import { TokenCodec } from '../tracking/token.js';

const data = workerData as TrackingWorkerData;
const port = parentPort!;
const post = (message: FromTrackingWorker) => port.postMessage(message);

/** Batches handed to the main thread, by number, waiting for word that they are stored. */
const waiting = new Map<number, (err?: Error) => void>();
let seq = 0;
const sink: HitSink = {
  store(hits, done) {
    waiting.set(++seq, done);
    post({ type: 'hits', seq, hits: packHits(hits) });
  },
};

const server = new TrackingServer({
  // Keys arrive as plain Uint8Arrays; the codec wants Buffers over the same bytes.
  codec: new TokenCodec({ mode: data.mode, keys: data.keys.map((k) => Buffer.from(k)) }),
  sink,
  logger: createLogger('info', ({ level, message }) => post({ type: 'log', level, message })),
  clock: systemClock,
  allowHosts: data.allowHosts,
  sandboxKey: data.sandboxKey,
  trustedProxies: data.trustedProxies,
  hostRules: data.hostRules,
  limits: data.limits,
});

port.on('message', (message: ToTrackingWorker) => {
  if (message.type === 'stored') {
    const done = waiting.get(message.seq);
    waiting.delete(message.seq);
    done?.(message.error === undefined ? undefined : new Error(message.error));
  } else if (message.type === 'close') {
    // The hits of this turn are posted before `closed`, so the main thread has them all when it hears of it.
    void server.close().then(() => post({ type: 'closed' }));
  }
});

server.listen(data.host, data.port).then(
  (address) => post({ type: 'listening', ...address }),
  (err: NodeJS.ErrnoException) => post({ type: 'failed', message: err.message, code: err.code }),
);
