// The write path's durability rule, for every engine (engines.ts): once `write` has resolved (the SMTP 250 waits
// for it), the mail is stored, even if the process is killed (SIGKILL) the next moment.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { storesOf } from './stores.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/** Writes acknowledged before the kill; several group commits' worth. */
const KILL_AFTER = 300;

for (const engine of ENGINES) {
  describe(`durability contract: ${engine.name}`, () => {
    const { openAt, place } = storesOf(engine);

    it('every mail whose write resolved is stored after a SIGKILL', async () => {
      const where = place();
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'write', engine.name, where], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acked: string[] = [];
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_, signal) => resolve(signal)),
      );
      for await (const line of createInterface({ input: child.stdout! })) {
        const id = JSON.parse(line) as string;
        if (id === 'ready') continue;
        acked.push(id);
        if (acked.length === KILL_AFTER) child.kill('SIGKILL');
      }
      expect(await exited).toBe('SIGKILL');
      expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);

      const store = openAt(where);
      const found = await Promise.all(acked.map((id) => store.messages.get(id)));
      const missing = acked.filter((_id, i) => !found[i]);
      expect(missing).toEqual([]);
    });
  });
}
