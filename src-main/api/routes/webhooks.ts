import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { WebhookRequestError, type WebhookDispatcher } from '../../webhooks/index.js';
import { ALL_INBOXES, inScope } from '../../model/inbox.js';
import { badRequest, notFound, parseOr400 } from '../errors.js';

export interface WebhookRoutesDeps {
  /** null when no --webhook is configured. */
  webhooks: WebhookDispatcher | null;
}

const deliveryId = z.object({ id: z.coerce.number().int().min(1) });

/** The webhook delivery log and replay. */
export function registerWebhookRoutes(app: FastifyInstance, { webhooks }: WebhookRoutesDeps): void {
  app.get(
    '/api/v1/webhooks/deliveries',
    {
      config: {
        summary: 'Webhook deliveries, newest first, with their attempts; and the configured endpoints',
      },
    },
    async (req) => ({
      // A delivery to an inbox's own URL is that inbox's: shown to whoever sees the inbox.
      deliveries: ((await webhooks?.list()) ?? []).filter(
        (d) => d.inbox === null || inScope(req.inboxScope ?? ALL_INBOXES, d.inbox),
      ),
      config: webhooks?.config ?? { urls: [], events: [] },
    }),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/webhooks/deliveries/:id/retry',
    { config: { summary: 'Send a webhook delivery again now (same webhook-id and body, freshly signed)' } },
    async (req, reply) => {
      if (!webhooks) {
        throw badRequest('[webhooks] no webhook is configured (start with --webhook URL)');
      }
      const { id } = parseOr400(deliveryId, req.params);
      try {
        return await webhooks.retry(id);
      } catch (err) {
        if (err instanceof WebhookRequestError && err.statusCode === 404)
          return notFound(reply, 'webhook delivery');
        throw err;
      }
    },
  );
}
