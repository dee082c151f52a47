import { parseArgs } from 'node:util';
import { HUMAN_CLIENTS, PROFILE_HELP, SIMULATE_PROFILES } from '../tracking/profiles.js';

const HELP = `Usage: mailbeacon simulate MESSAGE_ID PROFILE [--link N] [--compress N] [--client C] [--http URL] [--json]

Simulates a recipient on a caught mail of a running \`mailbeacon serve\` (MESSAGE_ID may be "latest").
Profiles:
${SIMULATE_PROFILES.map((p) => `  ${p.padEnd(22)} ${PROFILE_HELP[p]}`).join('\n')}
Options:
  --link N        the link to click (1-based, as in the Tracking tab; default the first)
  --compress N    inbox-journey: N times faster than real time (60 = a minute per second)
  --client C      human-open: ${HUMAN_CLIENTS.join(', ')}
  --http URL      the sandbox's UI/API address (default $MB_HTTP or http://127.0.0.1:8025)
  --ui-auth U:P   credentials when the sandbox runs with --ui-auth (default $MB_UI_AUTH)
  --json          print the API's JSON answer`;

/** `mailbeacon simulate`: the API's simulate route from the command line. */
export async function simulate(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        link: { type: 'string' },
        compress: { type: 'string' },
        client: { type: 'string' },
        http: { type: 'string' },
        'ui-auth': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [id, profile, ...extra] = positionals;
  if (!id || !profile || extra.length > 0) {
    process.stderr.write(`${HELP}\n`);
    return 2;
  }
  const body: Record<string, unknown> = { profile };
  for (const name of ['link', 'compress'] as const) {
    const raw = values[name];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      process.stderr.write(`--${name} must be a number, not "${String(raw)}"\n`);
      return 2;
    }
    body[name] = n;
  }
  if (typeof values.client === 'string') body.client = values.client;

  let base = String(values.http ?? process.env.MB_HTTP ?? 'http://127.0.0.1:8025');
  if (!/^https?:\/\//i.test(base)) base = `http://${base}`;
  let url: URL;
  try {
    url = new URL(`/api/v1/message/${encodeURIComponent(id)}/simulate`, base);
  } catch {
    process.stderr.write(`--http: "${base}" is not a URL\n`);
    return 2;
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = values['ui-auth'] ?? process.env.MB_UI_AUTH;
  if (typeof auth === 'string' && auth)
    headers.Authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (err) {
    process.stderr.write(`could not reach ${url.origin}: ${(err as Error).message}\n`);
    return 1;
  }
  const text = await res.text();
  let answer: {
    error?: string;
    steps?: { at: string; kind: string; classification: string; url?: string }[];
  };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    process.stderr.write(`${url.origin} answered ${res.status}: ${text.slice(0, 200)}\n`);
    return 1;
  }
  if (!res.ok) {
    process.stderr.write(`${answer.error ?? `HTTP ${res.status}`}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${text}\n`);
    return 0;
  }
  if (res.status === 202) process.stdout.write('planned (runs in the background):\n');
  for (const s of answer.steps ?? []) {
    process.stdout.write(`${s.at}  ${s.kind.padEnd(5)}  ${s.classification.padEnd(7)}  ${s.url ?? ''}\n`);
  }
  return 0;
}
