import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const project = mkdtempSync(join(tmpdir(), 'mailbeacon-consumer-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the published entry points', () => {
  it('build to JavaScript with declarations that a strict consumer project compiles against', async () => {
    // The build the package's `prepare` runs, so that the declarations are those of the current sources.
    await run(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.lib.json')], { cwd: ROOT });
    cpSync(join(import.meta.dirname, 'fixtures', 'consumer'), project, { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules', 'mailbeacon'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
    const result = await run(process.execPath, [TSC, '-p', project, '--strict'], { cwd: project }).catch(
      (err: { stdout: string; stderr: string }) => err,
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  }, 600_000);

  it('lets the same consumer see a type error (the check is not vacuous)', async () => {
    writeFileSync(
      join(project, 'broken.ts'),
      "import { MailbeaconClient } from 'mailbeacon/client';\nexport const n: number = new MailbeaconClient().url;\n",
    );
    writeFileSync(
      join(project, 'tsconfig.broken.json'),
      JSON.stringify({ extends: './tsconfig.json', files: ['broken.ts'] }),
    );
    const result = await run(process.execPath, [TSC, '-p', join(project, 'tsconfig.broken.json')], {
      cwd: project,
    }).catch((err: { stdout: string }) => err);
    expect(result.stdout).toContain("Type 'string' is not assignable to type 'number'");
  }, 300_000);
});
