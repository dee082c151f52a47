import { z } from 'zod';
import { inboxNameProblem } from '../model/inbox.js';
import { parseQuery } from '../search/query.js';

// The inbox flags: `--inbox NAME=QUERY`, `--smtp-inbox NAME=ADDR:PORT`, `--inbox-auth NAME=USER:PASS`, each
// repeatable; a bad name or value is reported with the entry that holds it.

const entries = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/** Splits `NAME=VALUE`, the name checked as an inbox name. */
function nameAndValue(entry: string, example: string, ctx: z.RefinementCtx): [string, string] | undefined {
  const i = entry.indexOf('=');
  const name = i > 0 ? entry.slice(0, i).trim() : '';
  const value = i > 0 ? entry.slice(i + 1).trim() : '';
  if (!name || !value) {
    ctx.addIssue({ code: 'custom', message: `"${entry}" is not NAME=… (for example ${example})` });
    return undefined;
  }
  const problem = inboxNameProblem(name);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `"${entry}": ${problem}` });
    return undefined;
  }
  return [name, value];
}

/** `--inbox NAME=QUERY`: mail without an inbox of its own goes to the first rule whose search it matches. */
export const inboxRules = entries.transform((list, ctx) => {
  const rules: { inbox: string; query: string }[] = [];
  for (const entry of list) {
    const pair = nameAndValue(entry, 'shop=to:@shop.test', ctx);
    if (!pair) continue;
    try {
      if (!parseQuery(pair[1]).length) throw new Error('the query is empty');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `"${entry}": ${(err as Error).message}` });
      continue;
    }
    rules.push({ inbox: pair[0], query: pair[1] });
  }
  return rules;
});

/** `--smtp-inbox NAME=ADDR:PORT`: an extra SMTP listener whose mail all goes to NAME. */
export const smtpInboxes = entries.transform((list, ctx) => {
  const out: { inbox: string; host: string; port: number }[] = [];
  for (const entry of list) {
    const pair = nameAndValue(entry, 'shop=127.0.0.1:1026', ctx);
    if (!pair) continue;
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(pair[1]);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}": "${pair[1]}" is not ADDR:PORT (for example 127.0.0.1:1026)`,
      });
      continue;
    }
    out.push({ inbox: pair[0], host: m[1] ?? (m[2] || '127.0.0.1'), port });
  }
  return out;
});

/** `--inbox-auth NAME=USER:PASS`: closes NAME; its SMTP AUTH, API and UI need these credentials. */
export const inboxAuth = entries.transform((list, ctx) => {
  const out: { inbox: string; user: string; pass: string }[] = [];
  for (const entry of list) {
    const pair = nameAndValue(entry, 'shop=shop:secret', ctx);
    if (!pair) continue;
    const i = pair[1].indexOf(':');
    if (i <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${entry}": credentials must be USER:PASS` });
      continue;
    }
    if (out.some((a) => a.inbox === pair[0])) {
      ctx.addIssue({ code: 'custom', message: `"${entry}": the inbox ${pair[0]} is closed twice` });
      continue;
    }
    out.push({ inbox: pair[0], user: pair[1].slice(0, i), pass: pair[1].slice(i + 1) });
  }
  return out;
});
