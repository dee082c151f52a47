import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real webhook endpoint on 127.0.0.1; `status` decides each answer. */
export class Receiver {
  readonly received: Received[] = [];
  status: (req: Received) => number = () => 204;
  port = 0;
  #server?: Server;

  async listen(port = 0): Promise<number> {
    const server = (this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(r);
        res.writeHead(this.status(r)).end();
      });
    }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Standard Webhooks' tolerance for the webhook-timestamp header. */
const TOLERANCE_SECONDS = 5 * 60;

/**
 * Verifies a request as the Standard Webhooks spec describes it, written from the spec rather than from the sender's
 * code: the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, the key is the base64 after `whsec_`, and
 * webhook-signature holds space-separated `v1,<base64 HMAC-SHA256>` entries of which one must match.
 */
export function verifyStandardWebhook(secret: string, r: Received, nowSeconds = Date.now() / 1000): boolean {
  const id = r.headers['webhook-id'];
  const timestamp = r.headers['webhook-timestamp'];
  const signatures = r.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${r.body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
