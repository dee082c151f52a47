// The engines the contract suite runs against. A second engine adds itself here, with how to open a store on a
// fresh place (a data directory, a database schema) and how to open it again; every test of this folder then runs
// against it too.
import type { Settings } from '../../../src-main/config/schema.js';
import { mailReaders } from '../../../src-main/ingest/service.js';
import { createLogger } from '../../../src-main/logger.js';
import type { EventPruning, SharedCommit, Store } from '../../../src-main/store/contract.js';
import { openStore } from '../../../src-main/store/service.js';
import { spawner } from '../../../src-main/workers/index.js';
import { tempDir } from '../../helpers/sandbox.js';

export type StoreSettings = Pick<Settings, 'hubHistory' | 'maxMessages' | 'maxEvents'>;

/** What the suite needs of an opened store: the repositories, and the engine's commit and event pruning. */
export interface StoreUnderTest extends Store {
  commits: SharedCommit;
  eventPruning: EventPruning;
}

export interface Engine {
  name: string;
  /** A new, empty place for a store; `remove` deletes it. */
  place(): { where: string; remove: () => void };
  /** Opens the store at `where` (creating it when it is new). Several may be open on one place at once. */
  open(where: string, settings?: Partial<StoreSettings>): StoreUnderTest;
}

const DEFAULTS: StoreSettings = { hubHistory: 100, maxMessages: 0, maxEvents: 0 };

export const sqlite: Engine = {
  name: 'sqlite',
  place: () => {
    const { dir, remove } = tempDir('mailbeacon-contract-');
    return { where: dir, remove };
  },
  open: (where, settings = {}) =>
    openStore(
      { ...DEFAULTS, ...settings, dataDir: where },
      { logger: createLogger('error'), readers: mailReaders, spawnCheckpoints: spawner('checkpoint-worker') },
    ),
};

export const ENGINES: Engine[] = [sqlite];

export function engineNamed(name: string): Engine {
  const engine = ENGINES.find((e) => e.name === name);
  if (!engine) throw new Error(`no engine named ${name}`);
  return engine;
}
