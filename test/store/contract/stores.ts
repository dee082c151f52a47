// Stores of one engine for a describe block of the contract suite: each on a fresh place, closed and removed after
// each test, newest first.
import { afterEach } from 'vitest';
import type { Engine, StoreSettings, StoreUnderTest } from './engines.js';

export function storesOf(engine: Engine) {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  /** Runs `cleanup` after the current test. */
  const later = (cleanup: () => Promise<void> | void): void => {
    cleanups.push(cleanup);
  };
  /** A new, empty place, removed after the test. */
  const place = (): string => {
    const { where, remove } = engine.place();
    later(remove);
    return where;
  };
  /** Opens a store at `where`, closed after the test. */
  const openAt = (where: string, settings: Partial<StoreSettings> = {}): StoreUnderTest => {
    const store = engine.open(where, settings);
    later(() => store.close());
    return store;
  };
  /** Opens a store on a new place. */
  const open = (settings: Partial<StoreSettings> = {}): StoreUnderTest => openAt(place(), settings);
  return { open, openAt, place, later };
}
