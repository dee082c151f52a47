import { readBody } from '../ingest/parse.js';
import { loadOptional } from '../optional-package.js';
import { CheckRefused } from './limits.js';
import { extractLinks } from './link-check.js';
import { parseReport } from './spamd.js';

/** The checks' CPU work, as one message to the checks' worker (see runner.ts) or as a call on the main thread. */
export type CheckTask =
  | { kind: 'html-check'; raw: Uint8Array }
  | { kind: 'links'; raw: Uint8Array }
  | { kind: 'spam-report'; reply: string };

export interface CheckRequest {
  seq: number;
  task: CheckTask;
}

export type CheckReply =
  { seq: number; result: unknown; error?: undefined } | { seq: number; error: string; status?: number };

const asBuffer = (raw: Uint8Array) => Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);

export async function runCheck(task: CheckTask): Promise<unknown> {
  switch (task.kind) {
    case 'html-check': {
      const { html } = await readBody(asBuffer(task.raw));
      if (!html) throw new CheckRefused('the message does not contain HTML', 400);
      // caniemail's data is loaded on first use, not at every start of the worker; the library may lack it, and
      // then also its CSS parser, which the check imports too.
      const { checkHtml } = await loadOptional(
        'caniemail',
        'The HTML check',
        () => import('./html-check.js'),
        ['@adobe/css-tools'],
      );
      return checkHtml(html);
    }
    case 'links': {
      const { html, text } = await readBody(asBuffer(task.raw));
      return extractLinks(html, text);
    }
    case 'spam-report':
      return parseReport(task.reply);
  }
}
