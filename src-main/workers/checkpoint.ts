// A thread that only checkpoints the WAL and fills the full-text index, for when no prepare worker does it (see
// store/sqlite/checkpointer.ts). It composes the store with ingest's mail reader, which the store does not import. The
// reader (mailparser and its kin) loads only when the index must read a mail itself: most of the time the main
// thread hands it each new mail's text, and this thread stays small.
import { parentPort, workerData } from 'node:worker_threads';
import type { MailTextReader } from '../store/search-index.js';
import { runCheckpoints, type CheckpointTask } from '../store/sqlite/checkpointer.js';

const readSearchText: MailTextReader = async (raw) =>
  (await import('../ingest/parse.js')).readSearchText(raw);

const port = parentPort!;
const close = runCheckpoints(workerData as CheckpointTask, readSearchText, (message) =>
  port.postMessage(message),
);
port.on('message', () => {
  close();
  process.exit(0);
});
