import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * The layers of src-main, lowest first (docs/ARCHITECTURE.md). Each entry is a folder, or a file at the top of
 * src-main (`ids` is src-main/ids.ts; `sandbox` is sandbox.ts and its folder). A part imports only from the layers
 * below its own: never from a part in its own layer nor above, so no two folders can import each other. This holds
 * for `import type`, `export … from` and `import()` as well. test/architecture/layers.test.ts checks that every
 * top-level entry of src-main is in this list.
 */
export const LAYERS = [
  {
    name: 'base',
    parts: ['model', 'ids', 'logger', 'version', 'optional-package', 'mime', 'net', 'threads'],
  },
  { name: 'bus', parts: ['events'] },
  { name: 'wire', parts: ['wire'] },
  // The search language imports only the base; config checks tag rules' queries with it.
  { name: 'search', parts: ['search'] },
  { name: 'config', parts: ['config'] },
  { name: 'store', parts: ['store'] },
  // Who sees which inbox and where a mail goes: the SMTP listener, ingest and the API ask it.
  { name: 'inboxes', parts: ['inboxes'] },
  // The services, in three steps: ingest puts tracking into mails, and SMTP, the relay and the checks use ingest.
  { name: 'tracking', parts: ['tracking'] },
  { name: 'ingest', parts: ['ingest'] },
  { name: 'services', parts: ['smtp', 'relay', 'checks', 'hub', 'webhooks', 'pop3'] },
  { name: 'api', parts: ['api'] },
  { name: 'clients and threads', parts: ['client', 'workers', 'preload'] },
  { name: 'mcp', parts: ['mcp'] },
  { name: 'root', parts: ['sandbox'] },
  { name: 'entry points', parts: ['cli', 'testing', 'app'] },
];

/** A part's paths: its folder, and for the top-level modules their file. */
const pathsOf = (part) => [`src-main/${part}`, `src-main/${part}.ts`];

/** One zone per part: nothing from its own layer or above, but itself. */
function layerZones() {
  return LAYERS.flatMap((layer, level) =>
    layer.parts.map((part) => {
      const above = LAYERS.slice(level).flatMap((l) => l.parts.filter((p) => p !== part));
      return {
        target: pathsOf(part),
        from: above.flatMap(pathsOf),
        message: `${part}/ is in the layer "${layer.name}": it imports only from the layers below (docs/ARCHITECTURE.md).`,
      };
    }),
  );
}

const NO_ELECTRON = {
  name: 'electron',
  message: 'Only src-main/app/ and src-main/preload/ run inside Electron.',
};

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-artifacts/', 'native/', 'docs/', 'lib/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The store answers with promises (store/contract.ts): one left unawaited, or tested as a condition, is a
    // write that may not have happened or a check that always passes. These rules need the types.
    files: ['src-main/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['test/testing/fixtures/**'],
    languageOptions: {
      parserOptions: { project: './tsconfig.node.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },

  // The layers (docs/ARCHITECTURE.md).
  {
    files: ['src-main/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_ELECTRON],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones() }],
      'no-restricted-syntax': [
        'error',
        {
          // The layer rule sees import declarations and import(), not types written as import('…').
          selector: 'TSImportType[argument.literal.value=/^\\.\\.\\//]',
          message: 'Import the type with `import type`, which the layer rules check.',
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'src-main/(?!wire/types$)',
              message: 'The renderer talks to the main process over HTTP only; it may share the wire types.',
            },
          ],
        },
      ],
    },
  },
);
