import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HUB_PATH } from '../../hub/discovery.js';
import type { Hub } from '../../hub/hub.js';
import { inboxTopic } from '../../hub/inbox-topics.js';
import { parseOr400 } from '../errors.js';

/** A day: long enough for a test run, short enough that a leaked token soon stops working. */
const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

const tokenQuery = z.object({
  subscribe: z.union([z.string(), z.array(z.string())]).default('*'),
  ttl: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60 * 60)
    .default(DEFAULT_TTL_SECONDS),
});

/** Hands a subscriber JWT to a test suite (the UI gets its own as a cookie). */
export function registerHubRoutes(app: FastifyInstance, { hub }: { hub: Hub }): void {
  app.get(
    '/api/v1/hub/token',
    { config: { summary: 'A subscriber JWT for the hub (subscribe=selector, repeatable; ttl=seconds)' } },
    async (req) => {
      const { subscribe, ttl } = parseOr400(tokenQuery, req.query);
      // An inbox's token reaches that inbox's updates only, whatever it asked for.
      const selectors = req.inboxName === undefined ? [subscribe].flat() : [inboxTopic(req.inboxName)];
      return { token: await hub.mintSubscriberToken(selectors, ttl), hub: HUB_PATH, selectors, ttl };
    },
  );
}
