import type { ServerResponse } from 'node:http';

/** A refusal with its HTTP status, answered as `text/plain` by the hub's request handler. */
export class HubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HubHttpError';
  }
}

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body.endsWith('\n') ? body : `${body}\n`);
}

export function sendJsonLd(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'Content-Type': 'application/ld+json',
    // The list changes with every connection: a cached copy must be checked before it is used.
    'Cache-Control': 'must-revalidate',
    ...headers,
  });
  res.end(JSON.stringify(body));
}
