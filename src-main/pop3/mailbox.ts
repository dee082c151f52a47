import type { EventBus } from '../events/bus.js';
import type { MessageStore } from '../store/sqlite/messages.js';

/** What a POP3 session sees of the store: the caught mails as tracked, and deletion. */
export interface Pop3Mailbox {
  /** Ids of the caught mails, oldest first (message 1 is the oldest). */
  ids(): string[];
  /** The tracked mail (what `raw?version=tracked` returns), undefined once deleted. */
  read(id: string): Buffer | undefined;
  /** Deletes mails from the store; the UI hears of it like any other deletion. */
  delete(ids: string[]): void;
}

/** The newest mails a session lists; a maildrop beyond this makes clients download for minutes. */
export const MAX_LISTED = 10_000;

export function storeMailbox(store: MessageStore, bus: EventBus): Pop3Mailbox {
  return {
    ids: () =>
      store
        .page(0, MAX_LISTED)
        .messages.map((m) => m.id)
        .reverse(),
    read: (id) => {
      const stored = store.raw(id);
      return stored ? (stored.tracked ?? stored.raw) : undefined;
    },
    delete: (ids) => {
      const deleted = store.delete(ids);
      if (deleted.length) bus.emit('message.deleted', deleted);
    },
  };
}
