// A worker thread that prepares mails (parse and inject) for the main thread, which only stores them.
import { parentPort, workerData } from 'node:worker_threads';
import { injectorFrom } from '../ingest/injector-settings.js';
import { prepareMail } from '../ingest/prepare.js';
import { readSearchText } from '../ingest/parse.js';
import { runCheckpoints } from '../store/sqlite/checkpointer.js';
import type { PrepareReply, PrepareRequest, PrepareWorkerData } from '../ingest/pool.js';
import type { PreparedMail } from '../ingest/prepare.js';

const { tracking: settings, reading, checkpoint } = workerData as PrepareWorkerData;
let trackingBase = '';
const injector = injectorFrom(settings, () => trackingBase);

const port = parentPort!;
const closeCheckpoints = checkpoint
  ? runCheckpoints(checkpoint, readSearchText, (warning) =>
      port.postMessage({ warning } satisfies PrepareReply),
    )
  : () => {};

/**
 * The buffers of a reply that own their memory, moved to the main thread rather than copied: a large mail's tracked
 * copy is megabytes. (A buffer over a shared pool, or over the mail as received, is copied.)
 */
function ownBuffers(prepared: PreparedMail): ArrayBuffer[] {
  const moved = new Set<ArrayBuffer>();
  for (const b of [prepared.tracked, prepared.trackedPatch, prepared.manifestJson]) {
    if (b && b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) {
      moved.add(b.buffer);
    }
  }
  return [...moved];
}

port.on('message', (request: PrepareRequest) => {
  if ('stop' in request) {
    closeCheckpoints();
    process.exit(0);
  }
  const job = request;
  // Buffers arrive as plain Uint8Arrays; the parser and the injector want Buffers over the same memory.
  const raw = Buffer.from(job.mail.raw.buffer, job.mail.raw.byteOffset, job.mail.raw.byteLength);
  trackingBase = job.trackingBase;
  prepareMail({ ...job.mail, raw }, injector, reading).then(
    (prepared) => port.postMessage({ seq: job.seq, prepared } satisfies PrepareReply, ownBuffers(prepared)),
    (err: unknown) =>
      port.postMessage({
        seq: job.seq,
        error: String((err as Error)?.message ?? err),
      } satisfies PrepareReply),
  );
});
