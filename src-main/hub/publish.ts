import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError } from './authorize.js';
import type { HubCore } from './core.js';
import { HubHttpError } from './http.js';
import type { UpdateInput } from './update.js';

/** Largest publish body accepted. Updates are notifications, not file transfers; this bounds what one request can make the hub buffer. */
export const MAX_PUBLISH_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PUBLISH_BYTES)
      throw new HubHttpError(413, `[hub] the update is larger than ${MAX_PUBLISH_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseRetry(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^[0-9]{1,10}$/.test(value))
    throw new HubHttpError(400, '[hub] "retry" must be a non-negative integer');
  return Number(value);
}

/** POST /.well-known/mercure: a form-encoded update from an authorized publisher; answers with its id. */
export async function publish(
  hub: HubCore,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    throw new HubHttpError(415, '[hub] publish with Content-Type: application/x-www-form-urlencoded');
  }
  const token = await hub.authorize(req, query, 'publisher');
  if (!token) throw new AuthorizationError('[hub] a publisher JWT is required', 401);
  const form = new URLSearchParams(await readBody(req));

  const allowed = token.mercure.publish ?? [];
  if (allowed.length === 0) throw new AuthorizationError('[hub] the JWT has no "mercure.publish" claim', 403);
  const topics = form.getAll('topic');
  for (const topic of topics) {
    if (!hub.matcher.matchesAny([topic], allowed)) {
      // All or nothing: an update with one topic the publisher may not use is not dispatched at all.
      throw new AuthorizationError(`[hub] the JWT does not allow publishing to "${topic}"`, 403);
    }
  }
  const input: UpdateInput = { topics, data: form.get('data') ?? '', private: form.has('private') };
  const id = form.get('id');
  const type = form.get('type');
  const retry = parseRetry(form.get('retry'));
  if (id !== null && id !== '') input.id = id;
  if (type !== null && type !== '') input.type = type;
  if (retry !== undefined) input.retry = retry;
  const update = hub.dispatch(input);
  // Exactly the id, as the reference hub answers: clients use the body as is.
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(update.id);
}
