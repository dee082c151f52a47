import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { WORKER_ENTRIES } from './src-main/workers/index';

/** In development the renderer comes from Vite's server; the API and the hub stay on the sandbox's listener. */
const sandboxHttp = `http://${process.env.MB_HTTP ?? '127.0.0.1:8025'}`;

/**
 * The sandbox hands the UI its hub JWT as an HttpOnly cookie with the page; in development Vite serves the page,
 * so this asks the sandbox for a token and sets the same cookie.
 */
function hubCookieInDev(): Plugin {
  return {
    name: 'mailbeacon-hub-cookie',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        if (req.url === '/' || req.url?.startsWith('/index.html')) {
          try {
            const answer = await fetch(`${sandboxHttp}/api/v1/hub/token?subscribe=*`);
            const { token } = (await answer.json()) as { token: string };
            res.setHeader(
              'Set-Cookie',
              `mercureAuthorization=${token}; HttpOnly; SameSite=Strict; Path=/.well-known/mercure`,
            );
          } catch {
            // The sandbox is not up yet: the UI shows the live link as down and retries.
          }
        }
        next();
      });
    },
  };
}

/**
 * The main bundles import the package's `dependencies` and `optionalDependencies` from node_modules; whatever else
 * they use (the MCP SDK, caniemail: devDependencies) is bundled in, so the published package runs without them. A
 * package that a bundled dependency takes from its own nested node_modules (caniemail's htmlparser2) is bundled with
 * it rather than swapped for the top-level version.
 */
function externalizeRuntimeDeps(): Plugin {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;
  const runtime = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const root = resolve('.');
  const packageOf = (id: string) =>
    id
      .split('/')
      .slice(0, id.startsWith('@') ? 2 : 1)
      .join('/');
  const nestedCopy = (importer: string, name: string) => {
    for (let dir = dirname(importer); dir.startsWith(root) && dir !== root; dir = dirname(dir)) {
      if (existsSync(resolve(dir, 'node_modules', name))) return true;
    }
    return false;
  };
  return {
    name: 'mailbeacon-externalize-runtime-deps',
    enforce: 'pre',
    resolveId(id, importer) {
      const name = packageOf(id);
      if (!runtime.has(name) || (importer && nestedCopy(importer, name))) return null;
      return { id, external: true };
    },
  };
}

// Three builds: the Electron main process (plus the headless CLI, which shares its code),
// the preload script, and the React renderer that both the desktop window and `mailbeacon serve` load.
export default defineConfig({
  main: {
    plugins: [externalizeRuntimeDeps()],
    build: {
      externalizeDeps: false,
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/app/index.ts'),
          cli: resolve('src-main/cli/index.ts'),
          // Worker threads load their own entry file: out/main/<name>.js.
          ...Object.fromEntries(
            Object.entries(WORKER_ENTRIES).map(([name, source]) => [name, resolve('src-main', source)]),
          ),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [react(), hubCookieInDev()],
    server: {
      // The sandbox answers only its own Host names (DNS rebinding), so the proxy presents the sandbox's.
      proxy: {
        '/api': { target: sandboxHttp, changeOrigin: true },
        '/.well-known/mercure': { target: sandboxHttp, ws: false, changeOrigin: true },
      },
    },
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
