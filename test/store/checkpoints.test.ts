// SQLite's WAL is folded back into the database by a background thread (src-main/store/checkpointer.ts): a prepare
// worker when there is one, a thread of its own otherwise. Without it the WAL would only be checkpointed once it
// holds 10,000 pages. A checkpoint that completes lets the next commit start the WAL over, which changes the WAL
// header's checkpoint sequence number: that is what these tests watch.
import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/sandbox.js';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

/** Bytes 12–15 of the WAL header: the checkpoint sequence number, big-endian. */
function checkpointSequence(dataDir: string): number {
  const fd = openSync(join(dataDir, `${DATABASE_FILE}-wal`), 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

let sb: TestSandbox | undefined;
afterEach(async () => {
  await sb?.stop();
  sb = undefined;
});

describe.each([
  ['by a prepare worker', { ingestThreads: 1 }],
  ['by a thread of its own with --ingest-threads 0', { ingestThreads: 0 }],
])('WAL checkpoints run in the background %s', (_label, flags) => {
  it('starts the WAL over while mails keep arriving, and loses none of them', async () => {
    sb = await startSandbox(flags);
    const transport = smtpTransport(sb);
    const send = (n: number) =>
      transport.sendMail({
        from: 'app@acme.test',
        to: 'carol@example.org',
        subject: `mail ${n}`,
        html: `<p>mail ${n}</p>`,
      });
    await send(0);
    const first = checkpointSequence(sb.dataDir);
    let sent = 1;
    // Bounded: a checkpoint runs every half second; 150 mails 50 ms apart leave it several chances.
    while (sent < 150 && checkpointSequence(sb.dataDir) === first) {
      await send(sent++);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(checkpointSequence(sb.dataDir)).not.toBe(first);
    expect((await sb.sandbox.store.count()).total).toBe(sent);
    expect(sb.logs.filter((l) => l.level !== 'info')).toEqual([]);
    transport.close();
  });
});
