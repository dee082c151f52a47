import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layer rules of eslint.config.js, run through ESLint's own API: imports that break the order are reported,
// whatever their form, and src-main as it is passes.

const root = join(import.meta.dirname, '..', '..');
const LAYER_RULES = new Set(['import-x/no-restricted-paths', 'no-restricted-syntax']);
// Scratch modules are in no TypeScript project: parse them without types (the layer rules need none).
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => LAYER_RULES.has(ruleId),
  overrideConfig: { languageOptions: { parserOptions: { project: null } } },
});

/** The layer errors of a scratch module at `file` (relative to src-main; the file need not exist). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, 'src-main', file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the layers of src-main', () => {
  it.each([
    ['store imports a service', 'store/scratch.ts', `import { createApi } from '../api/service.js';`],
    [
      'store imports the client',
      'store/scratch.ts',
      `import { MailbeaconClient } from '../client/index.js';`,
    ],
    ['store imports POP3', 'store/scratch.ts', `import { startPop3 } from '../pop3/index.js';`],
    ['the hub imports the API', 'hub/scratch.ts', `import { createApi } from '../api/service.js';`],
    ['the hub imports the CLI', 'hub/scratch.ts', `import { serve } from '../cli/serve.js';`],
    ['the model imports the store', 'model/scratch.ts', `import { openStore } from '../store/service.js';`],
    ['search imports the store', 'search/scratch.ts', `import { openStore } from '../store/service.js';`],
    [
      'the store imports inboxes',
      'store/scratch.ts',
      `import { createInboxes } from '../inboxes/service.js';`,
    ],
    ['config imports the store', 'config/scratch.ts', `import { openStore } from '../store/service.js';`],
    ['a base module imports a service', 'logger.ts', `import { Hub } from './hub/hub.js';`],
    ['a type-only import', 'webhooks/scratch.ts', `import type { ApiServer } from '../api/server.js';`],
    ['a dynamic import()', 'tracking/scratch.ts', `export const load = () => import('../api/service.js');`],
    ['a re-export', 'wire/scratch.ts', `export { openStore } from '../store/service.js';`],
    ['two services of one layer', 'smtp/scratch.ts', `import { startPop3 } from '../pop3/index.js';`],
    ['a service imports the root', 'relay/scratch.ts', `import { Sandbox } from '../sandbox.js';`],
    [
      'the root folder reaches an entry point',
      'sandbox/scratch.ts',
      `import { serve } from '../cli/serve.js';`,
    ],
  ])('reports %s', async (_what, file, code) => {
    // An import the resolver cannot follow is not checked at all: the scratch must name a real module.
    const target = join(root, 'src-main', dirname(file), /'(\.[^']+)'/.exec(code)![1]!).replace(
      /\.js$/,
      '.ts',
    );
    expect(existsSync(target), target).toBe(true);
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^import-x\/no-restricted-paths: .*imports only from the layers below/);
  });

  it('reports a type written as import() that leaves its folder', async () => {
    const errors = await layerErrors(
      'hub/scratch.ts',
      `export type A = import('../api/server.js').ApiServer;`,
    );
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-syntax: .*import type/)]);
  });

  it('allows imports from the layers below, and within a folder', async () => {
    const code = [
      `import type { MessageSummary } from '../wire/types.js';`,
      `import { EventBus } from '../events/bus.js';`,
      `import { openStore } from '../store/service.js';`,
      `import { Ingest } from '../ingest/ingest.js';`,
      `import { ApiServer } from './server.js';`,
      `export type { MessageSummary, EventBus, Ingest, ApiServer };
export { openStore };`,
    ].join('\n');
    expect(await layerErrors('api/scratch.ts', code)).toEqual([]);
  });

  it('places every top-level folder and module of src-main in a layer', async () => {
    const config = (await import(new URL('../../eslint.config.js', import.meta.url).href)) as {
      LAYERS: { parts: string[] }[];
    };
    const placed = new Set(config.LAYERS.flatMap((layer) => layer.parts));
    const parts = readdirSync(join(root, 'src-main')).map((name) => name.replace(/\.ts$/, ''));
    expect(parts.filter((part) => !placed.has(part))).toEqual([]);
  });

  it('holds for src-main as it is', { timeout: 300_000 }, async () => {
    const results = await eslint.lintFiles(['src-main']);
    const errors = results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.ruleId}: ${m.message}`));
    expect(errors).toEqual([]);
  });
});
