import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Chaos } from '../../smtp/chaos.js';
import { parseOr400 } from './messages.js';

const trigger = z.object({
  ErrorCode: z.number().int().min(400).max(599),
  Probability: z.number().int().min(0).max(100),
});
const triggersBody = z
  .object({ Sender: trigger.optional(), Recipient: trigger.optional(), Authentication: trigger.optional() })
  .strict()
  .nullish();

function notEnabled(): Error {
  return Object.assign(new Error('Chaos is not enabled (start with --enable-chaos)'), { statusCode: 400 });
}

/** Mailpit's chaos triggers: errors the SMTP server answers on purpose (smtp/chaos.ts). */
export function registerChaosRoutes(app: FastifyInstance, { chaos }: { chaos: Chaos }): void {
  app.get(
    '/api/v1/chaos',
    { config: { summary: 'The chaos triggers (400 without --enable-chaos)' } },
    async () => {
      if (!chaos.enabled) throw notEnabled();
      return chaos.triggers;
    },
  );

  app.put(
    '/api/v1/chaos',
    {
      config: {
        summary:
          'Set the chaos triggers ({Sender, Recipient, Authentication}: {ErrorCode 400-599, Probability 0-100}); left out = 0%',
      },
    },
    async (req) => {
      if (!chaos.enabled) throw notEnabled();
      return chaos.set(parseOr400(triggersBody, req.body) ?? {});
    },
  );
}
