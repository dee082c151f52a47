import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One Server-Sent Event as the hub sends it (heartbeat comments are dropped). */
export interface ServerSentEvent {
  id: string;
  type: string;
  data: string;
}

/** Splits an SSE byte stream into events (eventsource-parser; the WHATWG event-stream rules). */
export async function* readEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  // The last event id carries over to events without one, as an EventSource's lastEventId does.
  let id = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      id = value.id ?? id;
      yield { id, type: value.event ?? 'message', data: value.data };
    }
  } finally {
    reader.releaseLock();
  }
}
