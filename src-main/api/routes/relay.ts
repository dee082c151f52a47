import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ALL_INBOXES, inScope } from '../../model/inbox.js';
import type { MessageStore } from '../../store/contract.js';
import {
  RELEASE_WAIT_MS,
  RelayRequestError,
  type RelayWorker,
  type ReleaseResult,
} from '../../relay/index.js';
import { badRequest, notFound, parseOr400 } from '../errors.js';
import { resolveMessageId } from './messages.js';

export interface RelayRoutesDeps {
  /** null when no --relay is configured: the routes still answer, saying so. */
  relay: RelayWorker | null;
  store: MessageStore;
}

const releaseBody = z.object({ To: z.array(z.string().max(320)).max(100) });
const entryId = z.object({ id: z.coerce.number().int().min(1) });

const NOT_CONFIGURED = '[relay] no relay is configured (start with --relay smtp://host:port)';

/** Mailpit's release route plus the outbox's status and retry routes. */
export function registerRelayRoutes(app: FastifyInstance, { relay, store }: RelayRoutesDeps): void {
  app.post<{ Params: { id: string } }>(
    '/api/v1/message/:id/release',
    {
      config: {
        summary:
          'Relay a stored message to the given recipients ({To: [...]}): "ok" once the upstream took it, its error when it refused it or could not be reached, 202 when it has not answered within a few seconds (the outbox sends it)',
      },
    },
    async (req, reply) => {
      const id = await resolveMessageId(store, req.params.id, req.query);
      if (!id || !(await store.get(id))) return notFound(reply);
      if (!relay) throw badRequest(NOT_CONFIGURED);
      const { To } = parseOr400(releaseBody, req.body);
      let result: ReleaseResult;
      try {
        result = await relay.releaseAndWait(id, To);
      } catch (err) {
        if (err instanceof RelayRequestError && err.statusCode === 404) return notFound(reply);
        throw err;
      }
      const { entry, outcome } = result;
      reply.header('X-Mailbeacon-Relay-Entry', String(entry.id));
      // Mailpit answers a release with the upstream's error, as a 400.
      if (outcome === 'refused')
        throw badRequest(
          `SMTP error: ${result.reply} (relay entry ${entry.id} is dead; POST /api/v1/relay/${entry.id}/retry sends it again)`,
        );
      if (outcome === 'queued')
        return reply
          .code(202)
          .type('text/plain; charset=utf-8')
          .send(
            `queued: the upstream has not answered within ${RELEASE_WAIT_MS / 1000} s; relay entry ${entry.id} stays in the outbox (GET /api/v1/relay)`,
          );
      return reply.type('text/plain; charset=utf-8').send('ok');
    },
  );

  app.get(
    '/api/v1/relay',
    { config: { summary: 'Relay configuration (password masked) and outbox entries with their attempts' } },
    async (req) => ({
      config: relay?.config ?? { enabled: false },
      entries: ((await relay?.list()) ?? []).filter((entry) =>
        inScope(req.inboxScope ?? ALL_INBOXES, entry.inbox),
      ),
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/relay/:id/retry',
    { config: { summary: 'Send a failed or dead outbox entry again now, with a fresh retry schedule' } },
    async (req, reply) => {
      if (!relay) throw badRequest(NOT_CONFIGURED);
      const { id } = parseOr400(entryId, req.params);
      // Another inbox's entry is answered as an unknown one, as another inbox's mail is.
      const row = await relay.outbox.row(id);
      if (row && !inScope(req.inboxScope ?? ALL_INBOXES, row.inbox)) return notFound(reply, 'relay entry');
      try {
        return await relay.retry(id);
      } catch (err) {
        if (err instanceof RelayRequestError && err.statusCode === 404) return notFound(reply, 'relay entry');
        throw err;
      }
    },
  );
}
