import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { MessageStore } from '../../store/contract.js';
import { readBody } from '../../ingest/parse.js';
import { notFound, resolveMessageId } from './messages.js';

/**
 * What a mail's HTML may do when shown on its own: images, styles and fonts from anywhere (as a mail client shows
 * them), no scripts, no forms, no plugins; sandboxed into an origin of its own, so it cannot reach the API.
 */
const VIEW_CSP = [
  "default-src 'none'",
  "img-src 'self' data: http: https:",
  "style-src 'unsafe-inline' http: https:",
  'font-src data: http: https:',
  "base-uri 'none'",
  "form-action 'none'",
  'sandbox allow-popups allow-popups-to-escape-sandbox',
].join('; ');

const escapeAttr = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Mailpit's `/view/{ID}.html` and `/view/{ID}.txt`: a mail's HTML or text part alone, for tests and links. */
export function registerViewRoutes(app: FastifyInstance, { store }: { store: MessageStore }): void {
  app.get<{ Params: { file: string }; Querystring: { embed?: string; query?: string } }>(
    '/view/:file',
    {
      config: {
        summary:
          'A message\'s HTML part ({ID}.html, embed=1 for an iframe) or text part ({ID}.txt); ID, or "latest" with an optional ?query= search',
      },
    },
    async (req, reply) => {
      const m = /^(.+)\.(html|txt)$/.exec(req.params.file);
      if (!m) return notFound(reply);
      const id = await resolveMessageId(store, m[1]!, req.query);
      const row = id ? await store.get(id) : undefined;
      const stored = row ? await store.raw(row.id) : undefined;
      if (!row || !stored) return notFound(reply);
      const { text, html } = await readBody(stored.raw);
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Cache-Control', 'no-store');
      if (m[2] === 'txt') return reply.type('text/plain; charset=utf-8').send(text);
      if (!html) return notFound(reply, 'HTML part');

      // Inline images point at the API, as Mailpit serves them.
      const { inline } = await store.attachmentsOf(row.seq);
      let out = html.replace(/\bcid:([^"'\s)>]+)/gi, (whole, cid: string) => {
        const part = inline.find((p) => p.contentId.replace(/^<|>$/g, '') === decodeURIComponent(cid));
        return part
          ? `/api/v1/message/${encodeURIComponent(row.id)}/part/${encodeURIComponent(part.partId)}`
          : whole;
      });
      let csp = VIEW_CSP;
      if (req.query.embed === '1') {
        // Links open outside the frame; a script tells the parent window the height of the document.
        out = out.replace(/<a\b/gi, '<a target="_blank" rel="noreferrer noopener"');
        const nonce = randomBytes(16).toString('base64');
        csp = `${csp.replace('sandbox ', 'sandbox allow-scripts ')}; script-src 'nonce-${nonce}'`;
        out += `<script nonce="${escapeAttr(nonce)}">window.parent.postMessage({messageHeight: document.documentElement.scrollHeight}, '*');</script>`;
      }
      reply.header('Content-Security-Policy', csp);
      return reply.type('text/html; charset=utf-8').send(out);
    },
  );
}
