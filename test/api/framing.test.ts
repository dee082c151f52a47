import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type TestSandbox } from '../helpers/sandbox.js';

// The UI page is built by `npm run build` (which .ci/run runs before the tests).
describe('the UI page cannot be framed by another site', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:' });
  });
  afterAll(() => t.stop());

  it.each(['/', '/message/some-id', '/events'])(
    '%s sends frame-ancestors none and X-Frame-Options DENY',
    async (path) => {
      const page = await fetch(`${t.http}${path}`);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp.split(';').map((d) => d.trim())).toContain("frame-ancestors 'none'");
      // Merged into the page's one policy, not a second header that could be dropped on the way.
      expect(csp).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    },
  );
});
