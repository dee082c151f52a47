// A thread that only checkpoints the WAL and fills the full-text index, for when no prepare worker does it (see
// store/checkpointer.ts). It composes the store with ingest's mail reader, which the store does not import.
import { parentPort, workerData } from 'node:worker_threads';
import { readSearchText } from './parse.js';
import { runCheckpoints, type CheckpointTask } from '../store/checkpointer.js';

const port = parentPort!;
const close = runCheckpoints(workerData as CheckpointTask, readSearchText, (message) =>
  port.postMessage(message),
);
port.on('message', () => {
  close();
  process.exit(0);
});
