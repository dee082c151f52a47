import type { EventBus } from '../events/bus.js';
import { ALL_INBOXES, type InboxScope } from '../model/inbox.js';
import { decodePatch, type Edit } from '../mime/patch.js';
import type { MessageStore } from '../store/contract.js';
import { WireSize } from './wire.js';

/** What a POP3 session sees of the store: the caught mails as tracked, and deletion. */
export interface Pop3Mailbox {
  /** Ids of the caught mails, oldest first (message 1 is the oldest). */
  ids(scope?: InboxScope): Promise<string[]>;
  /**
   * The tracked mail (what `raw?version=tracked` returns) as pieces of at most PIECE_BYTES, each read from the
   * store when asked for; undefined once deleted.
   */
  open(id: string): Promise<AsyncIterable<Buffer> | undefined>;
  /** The mail's size on the wire and whether its line ends are all CRLF (see WireSize), undefined once deleted. */
  measure(id: string): Promise<Measure | undefined>;
  /** Deletes mails from the store; the UI hears of it like any other deletion. */
  delete(ids: string[], scope?: InboxScope): Promise<void>;
}

export interface Measure {
  octets: number;
  crlf: boolean;
}

/** The newest mails a session lists; a maildrop beyond this makes clients download for minutes. */
export const MAX_LISTED = 10_000;

/** The most of a mail encoded or counted in one turn of the event loop. */
export const PIECE_BYTES = 128 * 1024;

/** The mail as received with its patch's edits (in order, not overlapping) applied, piece by piece. */
async function* patched(raw: AsyncIterable<Buffer>, edits: readonly Edit[]): AsyncGenerator<Buffer> {
  const misfit = (edit: Edit) =>
    new Error(`[store] a tracked mail's edit at ${edit.start}…${edit.end} does not fit its mail`);
  let offset = 0;
  let next = 0;
  let e = 0;
  for await (const piece of raw) {
    const end = offset + piece.length;
    while (e < edits.length && edits[e]!.start < end) {
      const edit = edits[e++]!;
      if (edit.start < next || edit.end < edit.start) throw misfit(edit);
      if (edit.start > next) yield piece.subarray(next - offset, edit.start - offset);
      if (edit.bytes.length > 0) yield edit.bytes;
      next = edit.end;
    }
    if (next < end) yield piece.subarray(next - offset);
    next = Math.max(next, end);
    offset = end;
  }
  for (const edit of edits.slice(e)) {
    if (edit.start < next || edit.end !== offset) throw misfit(edit);
    yield edit.bytes;
  }
  if (next > offset) throw misfit(edits[edits.length - 1]!);
}

async function* resumed(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/** The pieces cut to at most PIECE_BYTES each (views, not copies). */
async function* bounded(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const piece of pieces)
    for (let at = 0; at < piece.length; at += PIECE_BYTES) yield piece.subarray(at, at + PIECE_BYTES);
}

export function storeMailbox(store: MessageStore, bus: EventBus): Pop3Mailbox {
  // Mails do not change once caught: what is counted once holds for every later session.
  const measures = new Map<string, Measure>();
  const open = async (id: string): Promise<AsyncIterable<Buffer> | undefined> => {
    const patch = await store.pieces(id, 'patch');
    if (!patch) return undefined;
    const edits: Buffer[] = [];
    for await (const piece of patch) edits.push(piece);
    if (edits.length > 0)
      return bounded(patched(await orNone(store.pieces(id, 'raw')), decodePatch(Buffer.concat(edits))));
    // A mail stored with a tracked copy (rather than a patch) is sent from it, one slice at a time.
    const tracked = (await store.pieces(id, 'tracked'))?.[Symbol.asyncIterator]();
    const first = await tracked?.next();
    if (tracked && first && !first.done) return bounded(resumed(first.value, tracked));
    return bounded(await orNone(store.pieces(id, 'raw')));
  };
  return {
    ids: async (scope = ALL_INBOXES) =>
      (await store.page(0, MAX_LISTED, '', scope)).messages.map((m) => m.id).reverse(),
    open,
    measure: async (id) => {
      const known = measures.get(id);
      if (known) return known;
      const pieces = await open(id);
      if (!pieces) return undefined;
      const size = new WireSize();
      for await (const piece of pieces) {
        size.add(piece);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const measure = { octets: size.total, crlf: size.crlf };
      if (measures.size >= MAX_LISTED) measures.clear();
      measures.set(id, measure);
      return measure;
    },
    delete: async (ids, scope = ALL_INBOXES) => {
      const deleted = await store.delete(ids, scope);
      for (const id of deleted) measures.delete(id);
      if (deleted.length) bus.emit('message.deleted', deleted);
    },
  };
}

/** The pieces, or none for a mail deleted meanwhile. */
async function orNone(pieces: Promise<AsyncIterable<Buffer> | undefined>): Promise<AsyncIterable<Buffer>> {
  return (await pieces) ?? (async function* () {})();
}
