// The checks' worker thread: reading a mail and checking it are CPU work on input a sender wrote, so none of it runs
// where SMTP and the API answer (see checks/runner.ts, which kills this thread when a check overruns).
import { parentPort } from 'node:worker_threads';
import { runCheck, type CheckReply, type CheckRequest } from '../checks/tasks.js';

const port = parentPort!;

port.on('message', (request: CheckRequest) => {
  runCheck(request.task).then(
    (result) => port.postMessage({ seq: request.seq, result } satisfies CheckReply),
    (err: unknown) => {
      const e = err as Error & { statusCode?: number };
      const status = e instanceof RangeError ? 422 : e.statusCode;
      const error =
        e instanceof RangeError ? 'too deeply nested to check' : String(e?.message ?? err).slice(0, 500);
      port.postMessage({ seq: request.seq, error, status } satisfies CheckReply);
    },
  );
});
port.postMessage({ ready: true });
