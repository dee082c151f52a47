import { connect } from 'node:net';
import type { SpamCheckResponse, SpamRule } from '../wire/types.js';
import type { ListenAddress } from '../config/schema.js';

const TIMEOUT_MS = 30_000;
/** spamd's answer is the report, a few kilobytes; anything far larger is not spamd. */
const MAX_REPLY = 1024 * 1024;

/**
 * Asks spamd for its REPORT (SPAMC/1.5): the verdict comes in the `Spam:` header, the rules that fired in the
 * report's table. Failures (spamd down, timeout, garbage) come back in `Error`, as Mailpit does.
 */
export async function checkSpam(
  mail: Buffer,
  spamd: ListenAddress,
  options: {
    timeoutMs?: number;
    /** Reads spamd's answer; the API hands it to the checks' worker (see checks/runner.ts). */
    parse?: (reply: string) => Promise<SpamCheckResponse>;
  } = {},
): Promise<SpamCheckResponse> {
  try {
    const reply = await ask(mail, spamd, options.timeoutMs ?? TIMEOUT_MS);
    return await (options.parse ?? (async (r: string) => parseReport(r)))(reply);
  } catch (err) {
    return {
      Error: `SpamAssassin (spamd at ${spamd.host}:${spamd.port}): ${(err as Error).message}`,
      IsSpam: false,
      Score: 0,
      Rules: [],
    };
  }
}

function ask(mail: Buffer, spamd: ListenAddress, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect({ host: spamd.host, port: spamd.port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('no answer in time')));
    socket.on('connect', () => {
      socket.write(`REPORT SPAMC/1.5\r\nContent-length: ${mail.length}\r\nUser: mailbeacon\r\n\r\n`);
      socket.end(mail);
    });
    socket.on('data', (data: Buffer) => {
      size += data.length;
      if (size > MAX_REPLY) return socket.destroy(new Error('reply too large'));
      chunks.push(data);
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'ECONNREFUSED' ? 'connection refused (is spamd running?)' : err.message)),
    );
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** `SPAMD/1.1 0 EX_OK`, headers, a blank line, then the human report whose rule table we read. */
export function parseReport(reply: string): SpamCheckResponse {
  const split = reply.indexOf('\r\n\r\n');
  const head = split === -1 ? reply : reply.slice(0, split);
  const body = split === -1 ? '' : reply.slice(split + 4);
  const status = /^SPAMD\/[\d.]+ (\d+) (.*)$/m.exec(head);
  if (!status) throw new Error('not a spamd reply');
  if (status[1] !== '0') throw new Error(`spamd said ${status[1]} ${status[2]!.trim()}`);
  const verdict = /^Spam: (True|False|Yes|No) ; (-?[\d.]+) \/ (-?[\d.]+)/im.exec(head);
  if (!verdict) throw new Error('spamd sent no verdict');

  const rules: SpamRule[] = [];
  let inTable = false;
  for (const line of body.split(/\r?\n/)) {
    if (/^-{3,} -{3,}/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const rule = /^\s*(-?\d+(?:\.\d+)?)\s+(\S+)\s+(.*)$/.exec(line);
    if (rule) rules.push({ Score: Number(rule[1]), Name: rule[2]!, Description: rule[3]!.trim() });
    else if (/^\s{6,}\S/.test(line) && rules.length) rules.at(-1)!.Description += ` ${line.trim()}`;
    else if (!line.trim()) inTable = rules.length === 0;
  }
  return {
    Error: '',
    IsSpam: /^(true|yes)$/i.test(verdict[1]!),
    Score: Number(verdict[2]),
    Rules: rules,
  };
}
