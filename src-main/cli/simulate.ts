import { parseArgs } from 'node:util';

/** Where output goes: process.stdout/stderr, or a collector in tests. */
interface Writable {
  write(chunk: string): unknown;
}
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
export async function simulate(
  argv: string[],
  out: Writable = process.stdout,
  err: Writable = process.stderr,
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  // Message ids may begin with "-" (they are base64url), which the option parser would take for a flag: the
  // leading words that are not long options are the id and the profile.
  const lead: string[] = [];
  while (lead.length < 2 && argv[lead.length] !== undefined && !argv[lead.length]!.startsWith('--'))
    lead.push(argv[lead.length]!);
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(lead.length),
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
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  positionals = [...lead, ...positionals];
  if (values.help) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const [id, profile, ...extra] = positionals;
  if (!id || !profile || extra.length > 0) {
    err.write(`${HELP}\n`);
    return 2;
  }
  const body: Record<string, unknown> = { profile };
  for (const name of ['link', 'compress'] as const) {
    const raw = values[name];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) {
      err.write(`--${name} must be a number, not "${String(raw)}"\n`);
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
    err.write(`--http: "${base}" is not a URL\n`);
    return 2;
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = values['ui-auth'] ?? process.env.MB_UI_AUTH;
  if (typeof auth === 'string' && auth)
    headers.Authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (e) {
    err.write(`could not reach ${url.origin}: ${(e as Error).message}\n`);
    return 1;
  }
  const text = await res.text();
  let answer: {
    Error?: string;
    steps?: { at: string; kind: string; classification: string; url?: string }[];
  };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    err.write(`${url.origin} answered ${res.status}: ${text.slice(0, 200)}\n`);
    return 1;
  }
  if (!res.ok) {
    err.write(`${answer.Error ?? `HTTP ${res.status}`}\n`);
    return 1;
  }
  if (values.json) {
    out.write(`${text}\n`);
    return 0;
  }
  if (res.status === 202) out.write('planned (runs in the background):\n');
  for (const s of answer.steps ?? []) {
    out.write(`${s.at}  ${s.kind.padEnd(5)}  ${s.classification.padEnd(7)}  ${s.url ?? ''}\n`);
  }
  out.write(
    `Recorded as simulated (source "simulated"): counted with recipients' hits, labelled as simulated, and left ` +
      `out when only real recipients are counted.\nSee them: ${new URL(`/#/message/${encodeURIComponent(id)}`, base).href}\n`,
  );
  return 0;
}
