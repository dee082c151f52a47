import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EventBus } from '../../events/bus.js';
import type { InboxAccess } from '../../inboxes/access.js';
import type { InboxSettingsView } from '../../inboxes/settings.js';
import type { Clock } from '../../logger.js';
import { inboxNameProblem } from '../../model/inbox.js';
import type { InboxStore, MessageStore } from '../../store/contract.js';
import { badRequest, conflict, errorBody, parseOr400 } from '../errors.js';
import type { InboxMoveResult, InboxSettingsWire, InboxSummary } from '../../wire/types.js';
import { applyPatch, settingsPatch, settingsResponse } from './inbox-settings.js';

export interface InboxRoutesDeps {
  store: MessageStore;
  bus: EventBus;
  inboxes: InboxStore;
  access: InboxAccess;
  clock: Clock;
  /** Every inbox's settings (inboxes/settings.ts), and the flags' values null falls back to. */
  settings: InboxSettingsView;
  defaults: InboxSettingsWire;
}

const nameBody = z.object({ Name: z.string().max(200) });
const moveBody = z.object({ IDs: z.array(z.string().max(200)).min(1).max(100_000) });

/** A name from a request, or a 400 saying what is wrong with it. */
function checkedName(name: string): string {
  const problem = inboxNameProblem(name);
  if (problem) throw badRequest(`bad inbox name: ${problem}`);
  return name;
}

/** The inboxes: list them with their counts, create, rename, empty and delete one, move mails into one. */
export function registerInboxRoutes(app: FastifyInstance, deps: InboxRoutesDeps): void {
  const { inboxes, access, bus } = deps;

  /** Whether this request may see inbox `name`: its own under `/inbox/NAME/`, else every inbox its caller may. */
  const visible = (req: FastifyRequest, name: string) =>
    req.inboxName !== undefined ? req.inboxName === name : access.mayOpen(req.caller, name);

  /** The named inbox when it exists and this request may see it; a 404 (the same either way) otherwise. */
  const known = async (req: FastifyRequest<{ Params: { name: string } }>): Promise<string> => {
    const name = checkedName(req.params.name);
    if (!visible(req, name) || !(await inboxes.exists(name)))
      throw Object.assign(new Error(`inbox not found: ${name}`), { statusCode: 404 });
    return name;
  };

  app.get(
    '/api/v1/inboxes',
    { config: { summary: 'The inboxes this caller sees: name, total, unread, closed or not, last mail' } },
    async (req) => {
      const list: InboxSummary[] = (await inboxes.list())
        .filter((row) => visible(req, row.name))
        .map((row) => ({
          Name: row.name,
          Total: row.total,
          Unread: row.unread,
          Closed: access.isClosed(row.name),
          LastMail: row.lastMs === null ? null : new Date(row.lastMs).toISOString(),
          Created: new Date(row.createdMs).toISOString(),
        }));
      return { Inboxes: list };
    },
  );

  app.post(
    '/api/v1/inboxes',
    { config: { summary: 'Create an inbox ({Name}); 409 when it exists' } },
    async (req, reply) => {
      const name = checkedName(parseOr400(nameBody, req.body).Name);
      if (req.inboxName !== undefined && req.inboxName !== name)
        throw badRequest('bad request: an inbox creates no other inbox');
      if (!(await inboxes.create(name, deps.clock.now()))) throw conflict(`inbox exists: ${name}`);
      return reply.code(201).send('ok');
    },
  );

  app.put<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name',
    { config: { summary: 'Rename an inbox ({Name}) with its mails, events and outbox entries' } },
    async (req) => {
      const from = await known(req);
      const to = checkedName(parseOr400(nameBody, req.body).Name);
      if (from === to) return 'ok';
      // A closed inbox's credentials are given by name on the command line: the name stays.
      if (access.isClosed(from) || access.isClosed(to))
        throw conflict(`a closed inbox (--inbox-auth) keeps its name: ${access.isClosed(from) ? from : to}`);
      const renamed = await inboxes.rename(from, to);
      if (renamed === 'taken') throw conflict(`inbox exists: ${to}`);
      if (renamed === 'missing')
        throw Object.assign(new Error(`inbox not found: ${from}`), { statusCode: 404 });
      deps.settings.renamed(from, to);
      return 'ok';
    },
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name/messages',
    {
      config: {
        summary:
          'Move mails ({IDs}) into this inbox with their events and outbox entries; mails the caller cannot see stay',
      },
    },
    async (req): Promise<InboxMoveResult> => {
      const to = checkedName(req.params.name);
      const { IDs } = parseOr400(moveBody, req.body);
      // Under `/inbox/NAME/` the mails come from NAME and may go to any inbox its caller may open.
      if (!access.mayOpen(req.caller, to) || !(await inboxes.exists(to)))
        throw Object.assign(new Error(`inbox not found: ${to}`), { statusCode: 404 });
      const moved = await inboxes.moveMessages(IDs, to, req.inboxScope);
      if (!moved) throw Object.assign(new Error(`inbox not found: ${to}`), { statusCode: 404 });
      const moves = (
        await Promise.all(
          moved.map(async ({ id, from }) => {
            const row = await deps.store.get(id);
            return row ? [{ message: await deps.store.summaryOf(row), from }] : [];
          }),
        )
      ).flat();
      if (moves.length) bus.emit('message.moved', moves);
      return { Moved: moved.length };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name/messages',
    { config: { summary: 'Empty an inbox: its mails, their events and outbox entries, in one transaction' } },
    async (req) => {
      const deleted = await inboxes.empty(await known(req));
      if (deleted.length) bus.emit('message.deleted', deleted);
      return 'ok';
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name',
    { config: { summary: 'Delete an inbox with its mails, events and outbox entries, in one transaction' } },
    async (req, reply) => {
      const deleted = await inboxes.delete(await known(req));
      if (!deleted)
        return reply.code(404).type('application/json; charset=utf-8').send(errorBody('inbox not found'));
      deps.settings.dropped(req.params.name);
      if (deleted.length) bus.emit('message.deleted', deleted);
      return 'ok';
    },
  );

  /**
   * The inbox a settings route names: a closed inbox the caller cannot open is a 401 (its name is on the command
   * line, so saying it needs credentials tells nothing new), an unknown one a 404. Undefined: answered already.
   */
  const settingsOf = async (req: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply) => {
    const name = checkedName(req.params.name);
    if (req.inboxName === undefined && access.isClosed(name) && !access.mayOpen(req.caller, name)) {
      void reply
        .code(401)
        .header('WWW-Authenticate', 'Basic realm="Mailbeacon", charset="UTF-8"')
        .type('application/json; charset=utf-8')
        .send(errorBody(`inbox ${name} is closed: give its credentials or the administrator's`));
      return undefined;
    }
    return known(req);
  };

  app.get<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name/settings',
    { config: { summary: "An inbox's settings (null: the flag's value) and the flags' values (Defaults)" } },
    async (req, reply) => {
      const name = await settingsOf(req, reply);
      if (name === undefined) return reply;
      return settingsResponse(name, deps.settings.get(name), deps.defaults);
    },
  );

  app.put<{ Params: { name: string } }>(
    '/api/v1/inboxes/:name/settings',
    {
      config: {
        summary: "Change an inbox's settings: the fields given (null: back to the flag's), the others stay",
      },
    },
    async (req, reply) => {
      const name = await settingsOf(req, reply);
      if (name === undefined) return reply;
      const next = applyPatch(deps.settings.get(name), parseOr400(settingsPatch, req.body ?? {}));
      if (!(await deps.settings.save(name, next)))
        throw Object.assign(new Error(`inbox not found: ${name}`), { statusCode: 404 });
      return settingsResponse(name, deps.settings.get(name), deps.defaults);
    },
  );
}
