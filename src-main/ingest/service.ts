import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { WalCheckpointer } from '../store/sqlite/checkpointer.js';
import type { MessageStore } from '../store/contract.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { MailReaders } from '../store/service.js';
import type { SpawnWorker } from '../threads/spawn.js';
import { Ingest } from './ingest.js';
import { injectorFrom, type InjectorSettings } from './injector-settings.js';
import { PreparePool, defaultPrepareThreads } from './pool.js';
import type { MailToPrepare, ReadingSettings } from './prepare.js';
import { readSearchText, readWithMailparser } from './parse.js';
import { tagger } from './tags.js';
import { inboxRouter } from '../inboxes/routing.js';

/** How the store reads a stored mail again (its search text, the parts of a mail kept in slices). */
export const mailReaders: MailReaders = {
  readText: readSearchText,
  readParts: async (raw) => (await readWithMailparser(raw)).parts,
};

export interface IngestDeps {
  store: MessageStore;
  /** The inboxes' settings: tracking, tag rules and bound per inbox. */
  inboxes?: InboxSettingsSource;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** WAL checkpoints run on a prepare worker when one can take them, else on their own. */
  checkpointer: WalCheckpointer;
  /** The tracking key ring (the first mints) and the public base of tracking links, known once it listens. */
  trackingKeys: Buffer[];
  trackingBase: () => string;
  /** Starts a prepare worker (workers/ingest.ts). */
  spawn: SpawnWorker;
}

/** Ingest with its prepare pool (tracking injection on workers or inline) and its tagger. */
export function createIngest(
  settings: Settings,
  deps: IngestDeps,
): { ingest: Ingest; close: () => Promise<void> } {
  const { checkpointer, trackingBase } = deps;
  const injection: InjectorSettings = {
    enabled: !settings.noTrack,
    trackText: settings.trackText,
    rules: settings.trackingRules,
    tokenMode: settings.tokenMode,
    keys: deps.trackingKeys,
  };
  const injector = injectorFrom(injection, trackingBase);
  // Imported on the first mail prepared on this thread: with workers, the parser's modules stay out of the main
  // thread's heap.
  let preparing: Promise<typeof import('./prepare.js')> | undefined;
  const reading: ReadingSettings = { simpleMailReader: settings.simpleMailReader };
  const inline = async (mail: MailToPrepare) =>
    (await (preparing ??= import('./prepare.js'))).prepareMail(mail, injector, reading);
  const pool = new PreparePool({
    spawn: deps.spawn,
    size: settings.ingestThreads ?? defaultPrepareThreads(),
    // An explicit --ingest-threads 0 keeps every mail on the main thread; by default large ones get a worker.
    largeMailBytes: settings.ingestThreads === 0 ? Infinity : undefined,
    data: { tracking: injection, reading },
    trackingBase,
    inline,
    checkpoint: checkpointer.possible ? () => checkpointer.handOff() : undefined,
    onCheckpointsLost: () => checkpointer.start(),
    logger: deps.logger.child('ingest'),
  });
  if (pool.checkpoints) checkpointer.delegated();
  else checkpointer.start();
  const ingest = new Ingest({
    store: deps.store,
    bus: deps.bus,
    clock: deps.clock,
    prepare: (mail) => pool.prepare(mail),
    tags: tagger({
      rules: settings.tag,
      plusAddresses: settings.tagsPlusAddresses,
      username: settings.tagsUsername,
    }),
    inbox: inboxRouter(settings.inbox),
    inboxes: deps.inboxes,
    trackByDefault: !settings.noTrack,
  });
  return { ingest, close: () => pool.close() };
}
