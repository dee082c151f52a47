import type { CommitHook } from '../contract.js';
import { searchBody, SLICED_MAIL_BYTES, type NewMessage } from '../message-rows.js';
import { addressText, type SearchEntry } from '../search-index.js';
import type { CommitQueue, QueuedWrite } from './commit-queue.js';
import type { MessageWrites } from './message-writes.js';
import type { SearchHandoff } from './search-handoff.js';

/** A mail waiting for the commit that stores it. */
interface PendingMail {
  message: NewMessage;
  hooks: ((seq: number) => void)[];
  resolve: (seq: number) => void;
  reject: (err: Error) => void;
}

/**
 * The one way a caught mail is written: its large-mail slices, the group commit, `--max-messages` pruning, the
 * running count and the hand-off to the full-text index. Its caller only awaits `write`: resolved, the mail is
 * durable, and a failure leaves nothing of it stored.
 */
export class MailWriter {
  readonly #commits: CommitQueue;
  readonly #writes: MessageWrites;
  readonly #search: SearchHandoff;
  readonly #maxMessages: number;
  readonly #hooks: CommitHook[] = [];
  readonly #pending: PendingMail[] = [];

  constructor(deps: {
    commits: CommitQueue;
    writes: MessageWrites;
    search: SearchHandoff;
    maxMessages: number;
  }) {
    this.#commits = deps.commits;
    this.#writes = deps.writes;
    this.#search = deps.search;
    this.#maxMessages = deps.maxMessages;
  }

  addCommitHook(hook: CommitHook): void {
    this.#hooks.push(hook);
  }

  /**
   * Stores the mail; resolves with its seq once the transaction that holds it has committed. `manifestJson` is the
   * tracking manifest's JSON when the caller has it already (a prepare worker wrote it).
   */
  async write(message: NewMessage, manifestJson?: Buffer | null): Promise<number> {
    const { id } = message;
    const hooks = this.#hooks.map((hook) => (seq: number) => hook({ seq, id, message }));
    if (message.raw.length < SLICED_MAIL_BYTES) return this.#commit(message, hooks);
    // A large mail's bytes go first, a slice per commit: written in the mail's own commit they held the event loop
    // (and every API answer) for seconds. The mail exists, and is acknowledged, only once its row commits.
    message.sliced = true;
    const { manifest, trackedPatch, tracked } = message;
    try {
      await this.#writes.writeSlices(id, {
        raw: message.raw,
        tracked: trackedPatch ? null : tracked,
        patch: trackedPatch ?? null,
        manifest: manifestJson ?? (manifest ? Buffer.from(JSON.stringify(manifest)) : null),
      });
      return await this.#commit(message, hooks);
    } catch (err) {
      this.#writes.dropSlices(id);
      throw err;
    }
  }

  /**
   * Group commit: mails that finish parsing in the same turn of the event loop, or the next, are written in one
   * transaction (shared with the other writers of those turns, see CommitQueue), so ten busy connections cost one
   * WAL write instead of ten. Each still gets its own answer, once the transaction has committed.
   */
  #commit(message: NewMessage, hooks: ((seq: number) => void)[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ message, hooks, resolve, reject });
      if (this.#pending.length === 1) this.#commits.enqueue(this.#batch());
    });
  }

  /** Writes the mails pending now; answers them when the shared transaction is done. */
  #batch(): QueuedWrite {
    let batch: PendingMail[] = [];
    let results: (number | Error)[] = [];
    return {
      write: () => {
        batch = this.#pending.splice(0);
        results = this.#writes.insertBatch(batch, this.#maxMessages);
      },
      done: (err) => {
        if (err) {
          // Nothing of the batch is stored (its savepoint or the commit failed); the mails left waiting are too.
          if (!batch.length) batch = this.#pending.splice(0);
          for (const item of batch) item.reject(err);
          try {
            this.#writes.recount(); // a failed commit after a stored batch left the running count too high
          } catch {
            // the database is closed
          }
          return;
        }
        const entries: SearchEntry[] = [];
        batch.forEach((item, i) => {
          const result = results[i]!;
          if (result instanceof Error) return item.reject(result);
          const m = item.message;
          entries.push({
            seq: result,
            subject: m.subject,
            addresses: addressText([m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo], m.envelopeTo),
            body: searchBody(m),
          });
          item.resolve(result);
        });
        // Into the full-text index behind the commit (see search-index.ts), with the text read already.
        this.#search.handToSearch(entries);
      },
    };
  }
}
