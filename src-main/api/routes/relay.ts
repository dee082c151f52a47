import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { MessageStore } from '../../store/messages.js';
import { RelayRequestError, type RelayWorker } from '../../relay/index.js';
import { badRequest, notFound, parseOr400 } from '../errors.js';

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
      config: { summary: 'Relay a stored message to the given recipients ({To: [...]}) through the outbox' },
    },
    async (req, reply) => {
      const id = store.resolveId(req.params.id);
      if (!id || !store.get(id)) return notFound(reply);
      if (!relay) throw badRequest(NOT_CONFIGURED);
      const { To } = parseOr400(releaseBody, req.body);
      try {
        relay.release(id, To);
      } catch (err) {
        if (err instanceof RelayRequestError && err.statusCode === 404) return notFound(reply);
        throw err;
      }
      return 'ok';
    },
  );

  app.get(
    '/api/v1/relay',
    { config: { summary: 'Relay configuration (password masked) and outbox entries with their attempts' } },
    async () => ({
      config: relay?.config ?? { enabled: false },
      entries: relay?.list() ?? [],
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/relay/:id/retry',
    { config: { summary: 'Send a failed or dead outbox entry again now, with a fresh retry schedule' } },
    async (req, reply) => {
      if (!relay) throw badRequest(NOT_CONFIGURED);
      const { id } = parseOr400(entryId, req.params);
      try {
        return relay.retry(id);
      } catch (err) {
        if (err instanceof RelayRequestError && err.statusCode === 404) return notFound(reply, 'relay entry');
        throw err;
      }
    },
  );
}
