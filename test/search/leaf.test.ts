// search/ is a leaf: the query language and the in-memory match import only the base folders, so config, the store
// and the services can all build on it without a cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SEARCH = fileURLToPath(new URL('../../src-main/search/', import.meta.url));
const BASE = /^(\.\/|\.\.\/(model\/|ids\.js$))/;

describe('search/', () => {
  it('imports nothing but its own files and the base folders (model/, ids/)', () => {
    const files = readdirSync(SEARCH).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const imports = files.flatMap((file) =>
      [...readFileSync(SEARCH + file, 'utf8').matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'/g)].map(
        (m) => `${file}: ${m[1] ?? m[2]}`,
      ),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((line) => !BASE.test(line.split(': ')[1]!))).toEqual([]);
  });
});
