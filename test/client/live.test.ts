import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readEventStream, type ServerSentEvent } from '../../src-main/client/live.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves `chunks` as an event stream, each written on its own, then ends it; returns the events the client reads. */
async function read(chunks: (string | Buffer)[]): Promise<ServerSentEvent[]> {
  server = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const chunk of chunks) {
      res.write(chunk);
      await new Promise((r) => setTimeout(r, 5));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/`);
  const events: ServerSentEvent[] = [];
  for await (const event of readEventStream(res.body!)) events.push(event);
  return events;
}

describe('readEventStream', () => {
  it('reads events split anywhere across chunks, with CRLF, CR and LF line ends and multi-line data', async () => {
    const events = await read([
      ': heartbeat\n\nid: 1\nevent: up',
      'date\ndata: {"a":1}\r',
      '\n\r\nid: 2\rdata: line one\rdata:line two\r\r',
      'data: no type\n\n',
    ]);
    expect(events).toEqual([
      { id: '1', type: 'update', data: '{"a":1}' },
      { id: '2', type: 'message', data: 'line one\nline two' },
      { id: '2', type: 'message', data: 'no type' },
    ]);
  });

  it('decodes UTF-8 split inside a character, drops events without data and ids with NUL', async () => {
    const text = Buffer.from('data: café ✓\n\n');
    const events = await read([
      text.subarray(0, 10),
      text.subarray(10),
      'event: empty\n\n',
      'id: a\0b\ndata: x\n\n',
      'id\ndata: y\n\n',
    ]);
    expect(events).toEqual([
      { id: '', type: 'message', data: 'café ✓' },
      { id: '', type: 'message', data: 'x' },
      { id: '', type: 'message', data: 'y' },
    ]);
  });
});
