import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EventBus } from '../../events/bus.js';
import type { MessageStore } from '../../store/contract.js';
import { parseOr400 } from './messages.js';

export interface TagRoutesDeps {
  store: MessageStore;
  bus: EventBus;
}

const renameBody = z.object({ Name: z.string().min(1).max(100) });
const tagParam = z.object({ tag: z.string().min(1).max(100) });

/** Mailpit's rename and delete of a tag across every mail (the mails themselves stay). */
export function registerTagRoutes(app: FastifyInstance, { store, bus }: TagRoutesDeps): void {
  app.put<{ Params: { tag: string } }>(
    '/api/v1/tags/:tag',
    { config: { summary: 'Rename a tag on every message ({Name})' } },
    async (req) => {
      const { tag } = parseOr400(tagParam, req.params);
      const { Name } = parseOr400(renameBody, req.body);
      const changed = await store.renameTag(tag, Name);
      if (changed.length) bus.emit('message.tags', changed);
      return 'ok';
    },
  );

  app.delete<{ Params: { tag: string } }>(
    '/api/v1/tags/:tag',
    { config: { summary: 'Remove a tag from every message (the messages stay)' } },
    async (req) => {
      const { tag } = parseOr400(tagParam, req.params);
      const changed = await store.deleteTag(tag);
      if (changed.length) bus.emit('message.tags', changed);
      return 'ok';
    },
  );
}
