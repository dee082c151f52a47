// A thread that only checkpoints the WAL, for when no prepare worker does it (see checkpointer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runCheckpoints, type CheckpointTask } from './checkpointer.js';

const port = parentPort!;
const close = runCheckpoints(workerData as CheckpointTask, (message) => port.postMessage(message));
port.on('message', () => {
  close();
  process.exit(0);
});
