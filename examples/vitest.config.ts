import { defineConfig } from 'vitest/config';

// The examples import Mailbeacon by its package name, as a project that installed it would; in this checkout that
// resolves to the package itself (its `exports`, built into lib/ by `npm run build:lib`).
export default defineConfig({
  test: {
    include: ['examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
