import pkg from '../package.json' with { type: 'json' };

/** The package version; the bundler inlines it, so it holds from source and from any bundle chunk. */
export const VERSION: string = pkg.version;
