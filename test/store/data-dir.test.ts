// The data directory holds every caught mail: a fresh one is 0700 with every file in it 0600 (the database and its
// -wal/-shm, the search index, the lock, keys, the POP3 login), and an older one left open is tightened at start,
// with a log line that names what changed.
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandbox, tempDir } from '../helpers/sandbox.js';

const mode = (path: string) => statSync(path).mode & 0o777;

function modes(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, mode(join(dir, f)).toString(8)]));
}

describe('data directory modes', () => {
  it('creates the directory 0700 and every file in it 0600', async () => {
    const parent = tempDir();
    const dir = join(parent.dir, 'data');
    try {
      // --pop3 also makes the TLS pair and the POP3 login; a mail makes the WAL and the search index.
      const t = await startSandbox({ dataDir: dir, pop3: '127.0.0.1:0' });
      try {
        const files = readdirSync(dir);
        for (const f of ['mailbeacon.db', 'mailbeacon.db-wal', 'mailbeacon.db-shm', 'mailbeacon.db-search'])
          expect(files).toContain(f);
        for (const f of ['mailbeacon.lock', 'hub.json', 'pop3.json']) expect(files).toContain(f);
        expect(mode(dir).toString(8)).toBe('700');
        expect(
          Object.values(modes(dir)).every((m) => m === '600'),
          JSON.stringify(modes(dir)),
        ).toBe(true);
        expect(t.logs.some((l) => /readable by other users|open to other users/.test(l.message))).toBe(false);
      } finally {
        await t.stop();
      }
    } finally {
      parent.remove();
    }
  });

  it('tightens a directory and files left readable by others, and says so', async () => {
    const parent = tempDir();
    const dir = join(parent.dir, 'data');
    try {
      mkdirSync(dir);
      const first = await startSandbox({ dataDir: dir });
      await first.stop();
      // As an older Mailbeacon left them.
      chmodSync(dir, 0o755);
      for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);

      const t = await startSandbox({ dataDir: dir });
      try {
        expect(mode(dir).toString(8)).toBe('700');
        expect(
          Object.values(modes(dir)).every((m) => m === '600'),
          JSON.stringify(modes(dir)),
        ).toBe(true);
        const said = t.logs.filter((l) => l.tag === 'db').map((l) => l.message);
        expect(
          said.some((m) => m.includes(`${dir} was open to other users (mode 0755); set it to 0700`)),
        ).toBe(true);
        expect(said.some((m) => /set to 0600: .*mailbeacon\.db \(0644\)/.test(m))).toBe(true);
      } finally {
        await t.stop();
      }
    } finally {
      parent.remove();
    }
  });
});
