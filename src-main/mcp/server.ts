import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { MailbeaconClient, MailbeaconError } from '../client/index.js';
import { INBOX_NAME } from '../model/inbox.js';
import { classification, simulationProfile, tokenKind } from '../wire/schemas.js';

export interface McpOptions {
  /** The API the tools act on: the running app's, or the listener that serves `/mcp` itself. */
  client: MailbeaconClient;
  /** Allow the tools that change state (delete, release, simulate, click). */
  write: boolean;
  version: string;
}

export const WRITE_REFUSED =
  'refused: this Mailbeacon MCP server is read-only. Start it with --mcp-write (for `mailbeacon serve` also ' +
  '"mcpWrite": true in mailbeacon.json or MB_MCP_WRITE=1) to allow deleting, releasing, simulating and clicking.';

/** Mail bodies can be large; an agent's context is not. */
const MAX_BODY_CHARS = 50_000;

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});

const failure = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

const clip = (text: string) =>
  text.length > MAX_BODY_CHARS
    ? `${text.slice(0, MAX_BODY_CHARS)}\n… (${text.length - MAX_BODY_CHARS} more characters)`
    : text;

const id = z.string().min(1).max(200).describe('The message ID (as listed), or "latest" for the newest mail');
const inbox = z
  .string()
  .regex(INBOX_NAME, 'an inbox name has only letters, digits, ".", "_" and "-" (at most 64)')
  .optional()
  .describe(
    'Act on this inbox alone (the SMTP AUTH user name its mail was sent with, or "default"), as the API under ' +
      '/inbox/NAME/ does; omit for every inbox this server may see',
  );
const timeout = z
  .number()
  .min(0)
  .max(300)
  .default(30)
  .describe('Seconds to wait before giving up (default 30)');

/** The MCP face of the API: tools and the `mailbeacon://message/{id}` resources, over any transport. */
export function createMcpServer({ client, write, version }: McpOptions): McpServer {
  const server = new McpServer({ name: 'mailbeacon', version });

  // A tool's `inbox` is reached with this server's own credentials, as `/inbox/NAME/` is; a server that is itself
  // one inbox's (`/inbox/NAME/mcp`) reaches that inbox alone.
  const ownInbox = /\/inbox\/([^/]+)$/.exec(client.url)?.[1];
  const clientFor = (name: string | undefined): MailbeaconClient | undefined => {
    if (name === undefined) return client;
    if (ownInbox !== undefined) return decodeURIComponent(ownInbox) === name ? client : undefined;
    return client.inbox(name);
  };

  // Errors become tool errors an agent can read, with the server's own message.
  const run =
    <A extends { inbox?: string }>(fn: (args: A, api: MailbeaconClient) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> => {
      // A closed inbox the caller cannot open gets the same answer as an inbox that does not exist.
      const unknownInbox = `inbox not found: ${args.inbox}`;
      const c = clientFor(args.inbox);
      if (!c) return failure(unknownInbox);
      try {
        return await fn(args, c);
      } catch (err) {
        if (err instanceof MailbeaconError) {
          const closedOrUnknown =
            err.status === 401 || (err.status === 404 && err.serverMessage.startsWith('inbox not found'));
          return failure(args.inbox !== undefined && closedOrUnknown ? unknownInbox : err.message);
        }
        const cause = (err as Error & { cause?: { code?: string } }).cause?.code;
        if (cause === 'ECONNREFUSED')
          return failure(
            `cannot reach Mailbeacon at ${client.url}: is it running (mailbeacon serve or the app)?`,
          );
        return failure((err as Error).message);
      }
    };
  const writing =
    <A extends { inbox?: string }>(fn: (args: A, api: MailbeaconClient) => Promise<CallToolResult>) =>
    async (args: A): Promise<CallToolResult> =>
      write ? run(fn)(args) : failure(WRITE_REFUSED);
  const readOnly = { readOnlyHint: true, openWorldHint: false };
  const changes = (destructive: boolean, openWorld = false) => ({
    readOnlyHint: false,
    destructiveHint: destructive,
    openWorldHint: openWorld,
  });
  const needsWrite = write ? '' : ' Needs --mcp-write: refused while the server is read-only.';

  server.registerTool(
    'list_messages',
    {
      title: 'List caught mails',
      description:
        'List the mails Mailbeacon caught, newest first, optionally filtered by a search in Mailpit syntax ' +
        '(to:addr from:addr subject:words "phrase" is:unread is:opened is:clicked is:machine-opened tag:name ' +
        'before:/after:date …; source:recipient limits is:opened … to real recipients). Each row has ID, From, To, ' +
        'Subject, Created, Snippet and tracking counts: opens and clicks by people from recipients and simulated ' +
        'recipients, the same from real recipients only under `recipients`, machine hits and preview hits apart.',
      inputSchema: {
        inbox,
        query: z.string().max(2000).optional().describe('Search in Mailpit syntax; omit for every mail'),
        limit: z.number().int().min(1).max(200).default(20).describe('At most this many rows (default 20)'),
        start: z.number().int().min(0).default(0).describe('Skip this many rows (paging)'),
      },
      annotations: readOnly,
    },
    run(async ({ query, limit, start }, api) => {
      const page = query?.trim()
        ? await api.search(query, { limit, start })
        : await api.list({ limit, start });
      return json({ total: page.total, unread: page.unread, start: page.start, messages: page.messages });
    }),
  );

  server.registerTool(
    'read_message',
    {
      title: 'Read a mail',
      description:
        'Read one caught mail: addresses, subject, text and HTML bodies, headers, the attachment list, the ' +
        'tracking manifest (pixel, rewritten links, unsubscribe URL, hit counts) and, when this Mailbeacon offers ' +
        'them, the HTML compatibility and link checks. Reading leaves the mail unread.',
      inputSchema: {
        inbox,
        id,
        include: z
          .array(z.enum(['text', 'html', 'headers', 'attachments', 'tracking', 'checks']))
          .default(['text', 'headers', 'attachments', 'tracking'])
          .describe('Which parts to return (default text, headers, attachments, tracking)'),
      },
      annotations: readOnly,
    },
    run(async ({ id: which, include }, api) => {
      const m = await api.get(which);
      const out: Record<string, unknown> = {
        ID: m.ID,
        MessageID: m.MessageID,
        From: m.From,
        To: m.To,
        Cc: m.Cc,
        Subject: m.Subject,
        Date: m.Date,
        Tags: m.Tags,
        Size: m.Size,
        Tracking: m.Tracking,
        ListUnsubscribe: m.ListUnsubscribe,
      };
      if (include.includes('text')) out.Text = clip(m.Text);
      if (include.includes('html')) out.HTML = clip(m.HTML);
      if (include.includes('headers')) out.Headers = await api.headers(m.ID);
      if (include.includes('attachments'))
        out.Attachments = [...m.Attachments, ...m.Inline].map((a) => ({
          PartID: a.PartID,
          FileName: a.FileName,
          ContentType: a.ContentType,
          Size: a.Size,
        }));
      if (include.includes('tracking')) out.TrackingManifest = await api.tracking(m.ID);
      if (include.includes('checks')) {
        const checks: Record<string, unknown> = {};
        for (const kind of ['html-check', 'link-check'] as const) {
          checks[kind] = await api
            .check(m.ID, kind)
            .catch((err: unknown) =>
              err instanceof MailbeaconError && err.status === 404
                ? 'not available on this Mailbeacon'
                : `failed: ${(err as Error).message}`,
            );
        }
        out.Checks = checks;
      }
      if (m.Warnings.length) out.Warnings = m.Warnings;
      return json(out);
    }),
  );

  server.registerTool(
    'list_events',
    {
      title: 'List tracking events',
      description:
        'List tracking events (opens, clicks, unsubscribes), newest first, of one mail or of all. Each event says ' +
        'who most likely made it: classification human, proxy (image proxies, Apple MPP), scanner (link scanners) ' +
        "or expired; and its source: recipient, simulated (made by Mailbeacon in a recipient's place) or preview " +
        "(the user's own reading in Mailbeacon, never counted).",
      inputSchema: {
        inbox,
        message: id.optional(),
        kind: tokenKind.optional().describe('open, click or unsub'),
        classification: classification.optional().describe('human, proxy, scanner or expired'),
        limit: z.number().int().min(1).max(500).default(50).describe('At most this many events (default 50)'),
      },
      annotations: readOnly,
    },
    run(async ({ message, kind, classification: c, limit }, api) => {
      if (!message) return json(await api.events({ kind, classification: c, limit }));
      // The per-mail route has no classification filter: filter its (bounded) page here.
      const page = await api.events({ message, kind, limit: c ? 1000 : limit });
      const events = c ? page.events.filter((e) => e.classification === c).slice(0, limit) : page.events;
      return json({ total: c ? events.length : page.total, events });
    }),
  );

  server.registerTool(
    'tracking_summary',
    {
      title: 'Tracking rates',
      description:
        'How many mails were opened, clicked and unsubscribed, as the Events page counts them: people from ' +
        'recipients and simulated recipients (simulated: false for real recipients only), out of the mails with ' +
        'a pixel (opens) and with a tracked link (clicks); machine and preview hits counted beside them.',
      inputSchema: {
        inbox,
        simulated: z.boolean().default(true).describe('Count simulated recipients too (default true)'),
        since: z.string().max(64).optional().describe('Only hits since this ISO time or unix ms'),
      },
      annotations: readOnly,
    },
    run(async ({ simulated, since }, api) => {
      const { perMail: _perMail, ...rates } = await api.summary({ simulated, since });
      return json(rates);
    }),
  );

  server.registerTool(
    'wait_for_mail',
    {
      title: 'Wait for a mail',
      description:
        'Wait until a mail matching the filter has been caught (or return the newest one already caught), e.g. ' +
        'after triggering a sign-up in the app under test. Fails with a clear message after the timeout.',
      inputSchema: {
        inbox,
        to: z.string().max(320).optional().describe('Recipient address, or part of it'),
        subject: z.string().max(500).optional().describe('Words of the subject'),
        query: z.string().max(2000).optional().describe('Any further search in Mailpit syntax'),
        timeout,
      },
      annotations: readOnly,
    },
    run(async ({ to, subject, query, timeout: seconds }, api) =>
      json(await api.waitForMail({ to, subject, query, timeout: seconds * 1000 })),
    ),
  );

  server.registerTool(
    'wait_for_event',
    {
      title: 'Wait for a tracking event',
      description:
        'Wait until an open, click or unsubscribe matching the filter is recorded (or return one already recorded).',
      inputSchema: {
        inbox,
        message: id.optional(),
        kind: tokenKind.optional().describe('open, click or unsub'),
        classification: classification.optional(),
        timeout,
      },
      annotations: readOnly,
    },
    run(async ({ message, kind, classification: c, timeout: seconds }, api) =>
      json(await api.waitForEvent({ message, kind, classification: c, timeout: seconds * 1000 })),
    ),
  );

  server.registerTool(
    'simulate_recipient',
    {
      title: 'Simulate a recipient',
      description:
        'Play a recipient profile against a mail, recording its hits as tracking events: human-open, human-click, ' +
        'apple-mpp (Apple Mail Privacy Protection prefetch), gmail-proxy, safe-links (a link scanner), ' +
        `unsubscribe-one-click or inbox-journey.${needsWrite}`,
      inputSchema: {
        inbox,
        id,
        profile: simulationProfile,
        link: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe('The 1-based tracked link to click, for click profiles'),
      },
      annotations: changes(false),
    },
    writing(async ({ id: which, profile, link }, api) => json(await api.simulate(which, profile, { link }))),
  );

  server.registerTool(
    'click_link',
    {
      title: 'Click a tracked link',
      description:
        'Click one tracked link of a mail the way a recipient does: the tracked URL is requested (the redirect to ' +
        `the original site is not followed) and the click recorded. Choose the link by its text, URL or index.${needsWrite}`,
      inputSchema: {
        inbox,
        id,
        text: z.string().max(500).optional().describe('Part of the link text'),
        url: z.string().max(4096).optional().describe('The original URL of the link'),
        index: z.number().int().min(1).optional().describe('1-based number of the tracked link'),
      },
      annotations: changes(false),
    },
    writing(async ({ id: which, text, url, index }, api) => {
      const choice =
        text !== undefined
          ? { text }
          : url !== undefined
            ? { url }
            : index !== undefined
              ? { index }
              : undefined;
      if (!choice) return failure('say which link: text, url or index');
      return json(await api.click(which, choice));
    }),
  );

  server.registerTool(
    'release_message',
    {
      title: 'Release a mail',
      description:
        'Send a caught mail on to real recipients through the relay configured in Mailbeacon (--relay). This ' +
        `delivers real mail outside the machine.${needsWrite}`,
      inputSchema: {
        inbox,
        id,
        to: z.array(z.string().email()).min(1).max(100).describe('Recipient addresses'),
      },
      annotations: changes(false, true),
    },
    writing(async ({ id: which, to }, api) => {
      await api.release(which, to);
      return json({ released: which, to });
    }),
  );

  server.registerTool(
    'delete_messages',
    {
      title: 'Delete mails',
      description: `Delete caught mails: the given IDs, every mail matching a search, or all of them.${needsWrite}`,
      inputSchema: {
        inbox,
        ids: z.array(z.string().min(1).max(200)).max(1000).optional().describe('Message IDs'),
        query: z.string().max(2000).optional().describe('Delete every mail matching this search'),
        all: z.boolean().optional().describe('Delete every mail'),
      },
      annotations: changes(true),
    },
    writing(async ({ ids, query, all }, api) => {
      if (ids?.length) await api.delete(ids);
      else if (query?.trim()) await api.delete({ search: query });
      else if (all) await api.delete('all');
      else return failure('say what to delete: ids, query, or all: true');
      return json({ deleted: ids ?? (query ? { query } : 'all') });
    }),
  );

  server.registerResource(
    'message',
    new ResourceTemplate('mailbeacon://message/{id}', {
      list: async () => {
        const page = await client.list({ limit: 50 });
        return {
          resources: page.messages.map((m) => ({
            uri: `mailbeacon://message/${m.ID}`,
            name: m.Subject || '(no subject)',
            description: `From ${m.From?.Address ?? 'unknown'} to ${m.To.map((a) => a.Address).join(', ')}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'A caught mail',
      description:
        'A mail Mailbeacon caught: addresses, subject, text and HTML bodies and tracking counts, as JSON',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const m = await client.get(decodeURIComponent(String(variables.id)));
      const body = { ...m, Text: clip(m.Text), HTML: clip(m.HTML), TrackedHTML: undefined };
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }],
      };
    },
  );

  return server;
}
