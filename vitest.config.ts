import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/**/*.test.ts',
      'test/**/*.test.tsx',
      'src-renderer/**/*.test.tsx',
      'src-renderer/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Renderer component tests pick happy-dom with a per-file `@vitest-environment` comment.
    environment: 'node',
  },
});
