import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

/** The services of src-main; the store below them imports none (docs/ARCHITECTURE.md). */
const SERVICES = ['hub', 'tracking', 'relay', 'webhooks', 'api', 'ingest', 'smtp', 'app', 'cli'];
/** A later `no-restricted-imports` replaces an earlier one for the same files, so each layer rule repeats this. */
const NO_ELECTRON = {
  name: 'electron',
  message: 'Only src-main/app/ and src-main/preload/ run inside Electron.',
};

/**
 * A layer rule: files matching `files` import nothing whose path matches `regex`, statically or with `import()`
 * (which `no-restricted-imports` does not see).
 */
function layer(files, regex, message) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': ['error', { paths: [NO_ELECTRON], patterns: [{ regex, message }] }],
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\/')}/]`, message },
      ],
    },
  };
}

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
  layer(
    'src-main/store/**/*.ts',
    `^\\.\\./(${SERVICES.join('|')})/`,
    'The store imports no service: a service hands the store what it needs (see sandbox.ts); shared types are in model/.',
  ),
  layer(
    'src-main/tracking/**/*.ts',
    '^(\\.\\./)+api/',
    'Tracking imports nothing from api/: its types are in model/, the wire mapping is api/’s job.',
  ),
  layer(
    'src-main/hub/**/*.ts',
    '^(\\.\\./)+store/',
    'The hub imports nothing from store/: the sandbox hands it its stored history; shared types are in model/.',
  ),
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
