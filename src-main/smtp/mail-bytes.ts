/** From this size on, a mail's bytes are gathered in shared memory (the prepare pool's own large-mail size). */
export const SHARED_FROM_BYTES = 512 * 1024;
/** The most address space one mail reserves; a larger mail (no size limit set) goes on as separate chunks. */
const MAX_RESERVED_BYTES = 1024 * 1024 * 1024;
/** Shared memory grows in steps of this size, not once per SMTP chunk. */
const GROW_STEP_BYTES = 1024 * 1024;

/**
 * The bytes of one mail as they arrive over SMTP. A small mail is its chunks, joined at the end. A large one is
 * copied chunk by chunk into one growable SharedArrayBuffer: no turn of the event loop then joins megabytes at
 * once, and the worker that prepares the mail reads that memory instead of a copy posted to it.
 */
export class MailBytes {
  #chunks: Buffer[] = [];
  #length = 0;
  #shared: SharedArrayBuffer | undefined;
  #view: Buffer | undefined;
  /** How many of the bytes are in shared memory; the rest, if any, are in `#chunks`. */
  #sharedLength = 0;
  readonly #reserve: number;

  /** `limit`: the most bytes the SMTP server lets a mail have (0: no limit). */
  constructor(limit: number) {
    this.#reserve = limit > 0 ? Math.min(limit, MAX_RESERVED_BYTES) : MAX_RESERVED_BYTES;
  }

  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    const length = this.#length + chunk.length;
    if (this.#shared && length <= this.#reserve) {
      this.#ensure(length);
      this.#view!.set(chunk, this.#length);
      this.#sharedLength = length;
    } else {
      this.#chunks.push(chunk);
      if (!this.#shared && length >= SHARED_FROM_BYTES && length <= this.#reserve) this.#share(length);
    }
    this.#length = length;
  }

  /** The whole mail as one Buffer (over the shared memory for a large mail). Call once, at the end. */
  join(): Buffer {
    if (!this.#shared) return Buffer.concat(this.#chunks, this.#length);
    const shared = Buffer.from(this.#shared, 0, this.#sharedLength);
    // Only a mail that outgrew the reservation has chunks left over.
    return this.#chunks.length ? Buffer.concat([shared, ...this.#chunks], this.#length) : shared;
  }

  /** Moves the chunks gathered so far (about half a megabyte) into shared memory. */
  #share(length: number): void {
    this.#shared = new SharedArrayBuffer(0, { maxByteLength: this.#reserve });
    this.#ensure(length);
    let at = 0;
    for (const chunk of this.#chunks) {
      this.#view!.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks = [];
    this.#sharedLength = length;
  }

  #ensure(length: number): void {
    const shared = this.#shared!;
    if (length <= shared.byteLength) return;
    shared.grow(Math.min(this.#reserve, Math.ceil(length / GROW_STEP_BYTES) * GROW_STEP_BYTES));
    this.#view = Buffer.from(shared, 0, shared.byteLength);
  }
}
