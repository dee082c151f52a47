import { uuid7 } from '../ids.js';
import type { HubUpdate } from '../model/hub-update.js';

/** One update as the hub stores and dispatches it (the model's, which the store's history shares). */
export type Update = HubUpdate;

/** What a publisher may set; the hub fills in the id. */
export interface UpdateInput {
  topics: string[];
  data: string;
  private?: boolean;
  id?: string;
  type?: string;
  retry?: number;
}

/** A publish request the hub refuses, carrying the HTTP status the publish endpoint answers with. */
export class UpdateError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'UpdateError';
  }
}

// A CR, LF or NUL in a field that is written on one SSE line would let a publisher inject fields (another id,
// a forged event) into every subscriber's stream.
const LINE_BREAKING = /[\r\n\0]/;

/**
 * `mercure` is refused as an event type: the reference hub reserves it for its own events, and a subscriber
 * listening for them must not receive a publisher's update instead.
 */
const RESERVED_TYPE = 'mercure';

/** Checks a publisher's input and gives it its final shape. */
export function createUpdate(input: UpdateInput): Update {
  const topics = input.topics;
  if (topics.length === 0) throw new UpdateError('[hub] missing "topic"');
  for (const topic of topics) {
    if (topic === '') throw new UpdateError('[hub] empty "topic"');
    if (LINE_BREAKING.test(topic)) throw new UpdateError('[hub] "topic" must not contain CR, LF or NUL');
  }
  if (input.id !== undefined) {
    if (input.id === '') throw new UpdateError('[hub] empty "id"');
    if (LINE_BREAKING.test(input.id)) throw new UpdateError('[hub] "id" must not contain CR, LF or NUL');
    // '#…' ids are the hub's own namespace (relative fragments) and 'earliest' means "everything" on replay.
    if (input.id.startsWith('#')) throw new UpdateError('[hub] "id" must not start with "#"');
    if (input.id === 'earliest')
      throw new UpdateError('[hub] "id" must not be the reserved value "earliest"');
  }
  if (input.type !== undefined && input.type !== '') {
    if (LINE_BREAKING.test(input.type)) throw new UpdateError('[hub] "type" must not contain CR, LF or NUL');
    if (input.type === RESERVED_TYPE)
      throw new UpdateError('[hub] "type" must not be the reserved value "mercure"');
  }
  if (input.retry !== undefined && (!Number.isSafeInteger(input.retry) || input.retry < 0)) {
    throw new UpdateError('[hub] "retry" must be a non-negative integer');
  }
  const update: Update = {
    // Time-ordered, so the history's unique index over ids grows at its end (see uuid7).
    id: input.id ?? `urn:uuid:${uuid7()}`,
    topics: [...topics],
    data: input.data,
    private: input.private ?? false,
  };
  if (input.type) update.type = input.type;
  if (input.retry !== undefined) update.retry = input.retry;
  return update;
}

/**
 * The update as a text/event-stream event. Data is split on every line break into `data:` lines, which
 * EventSource joins back with '\n' (blank lines included), so multi-line payloads survive intact.
 */
export function formatEvent(update: Update): string {
  let out = `id: ${update.id}\n`;
  if (update.type) out += `event: ${update.type}\n`;
  if (update.retry !== undefined) out += `retry: ${update.retry}\n`;
  for (const line of update.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}
