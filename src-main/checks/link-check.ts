import { STATUS_CODES } from 'node:http';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { LinkCheckResponse, LinkStatus } from '../wire/types.js';
import { RefusedRequestError, type GuardedFetch } from '../net/guarded-fetch.js';
import { TooLargeToCheck, assertNestingWithin } from './limits.js';

export interface LinkCheckOptions {
  follow: boolean;
  /** Every request goes through it: it refuses internal addresses and Mailbeacon's own listeners. */
  fetch: GuardedFetch;
  /** Per request, redirects included. */
  timeoutMs?: number;
  /** The whole check: links not reached by then are reported as not checked. */
  budgetMs?: number;
  /** Body bytes read across the whole check (only a refused HEAD makes us read a body, and only its start). */
  budgetBytes?: number;
  concurrency?: number;
  /** Links not to request (our own tracking endpoints: a request there would count as a click). */
  skip?: (url: URL) => boolean;
}

const TIMEOUT_MS = 10_000;
const BUDGET_MS = 30_000;
const BUDGET_BYTES = 1024 * 1024;
/** Of a GET made because HEAD was refused, only the status counts: a few bytes show the server answered. */
const GET_BODY_BYTES = 1024;
const CONCURRENCY = 5;
const MAX_REDIRECTS = 10;
/** A mail with thousands of links would keep the check running for minutes; the first ones tell enough. */
export const MAX_LINKS = 100;
/** HTML and text read for links at most; a larger mail gets "too large to check". */
export const MAX_LINK_SOURCE = 2 * 1024 * 1024;

const httpUrl = /^https?:\/\//i;
/** Status texts of links not requested; they are not errors of the target. */
export const NOT_CHECKED = 'not checked';
export const REFUSED = 'refused';

/**
 * The http(s) links of a mail as Mailpit collects them: a[href], stylesheet links, img[src], and URLs in the text.
 * Linear in the input: each pattern either consumes what it scanned or fails at its first character.
 */
export function extractLinks(html: string, text: string): string[] {
  const size = html.length + text.length;
  if (size > MAX_LINK_SOURCE) throw new TooLargeToCheck('the mail', size, MAX_LINK_SOURCE);
  const links: string[] = [];
  if (html) {
    assertNestingWithin(html);
    const document = parseDocument(html);
    const elements = DomUtils.findAll(() => true, document.children);
    for (const e of elements) {
      const value =
        e.name === 'a' ||
        e.name === 'area' ||
        (e.name === 'link' && /\bstylesheet\b/i.test(e.attribs.rel ?? ''))
          ? e.attribs.href
          : e.name === 'img'
            ? e.attribs.src
            : undefined;
      if (value && httpUrl.test(value.trim())) links.push(value.trim());
    }
  }
  // RFC 2396 appendix E: a URL in plain text may be wrapped in angle brackets, and then may span lines. The
  // bracketed part stops at the next `<` too, so a `<http://` without its `>` costs one scan, not one per later `<`.
  for (const m of text.matchAll(/<(https?:\/\/[^<>]+)>/gi)) links.push(m[1]!.replace(/\s+/g, ''));
  for (const m of text.matchAll(/(?:^|[^<\w])(https?:\/\/[-\w@:%_+'!.~#?,&/=;]+)/gim)) links.push(m[1]!);
  return [...new Set(links)];
}

interface Budget {
  deadline: AbortSignal;
  bytes: number;
}

/** One link: HEAD (GET when the server refuses HEAD), redirects followed by hand so each hop is checked again. */
async function checkOne(url: string, options: LinkCheckOptions, budget: Budget): Promise<LinkStatus> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { URL: url, StatusCode: 0, Status: 'invalid URL' };
  }
  if (budget.deadline.aborted)
    return { URL: url, StatusCode: 0, Status: `${NOT_CHECKED}: the check ran out of time` };
  const signal = AbortSignal.any([budget.deadline, AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS)]);
  try {
    for (let hop = 0; ; hop++) {
      if (options.skip?.(current)) {
        return { URL: url, StatusCode: 0, Status: `${NOT_CHECKED}: a Mailbeacon tracking link` };
      }
      let res = await options.fetch.request(current, { method: 'HEAD', signal });
      if (res.status === 405 || res.status === 501) {
        const room = Math.max(0, Math.min(GET_BODY_BYTES, budget.bytes));
        res = await options.fetch.request(current, { method: 'GET', signal, maxBodyBytes: room });
        budget.bytes -= res.body.length;
      }
      const location = res.headers.location;
      if (options.follow && res.status >= 300 && res.status < 400 && location) {
        if (hop >= MAX_REDIRECTS) return { URL: url, StatusCode: 0, Status: 'too many redirects' };
        current = new URL(location, current);
        if (!/^https?:$/.test(current.protocol))
          return { URL: url, StatusCode: 0, Status: `redirect to an unsupported URL (${current.protocol})` };
        continue;
      }
      return { URL: url, StatusCode: res.status, Status: STATUS_CODES[res.status] ?? 'Unknown' };
    }
  } catch (err) {
    if (err instanceof RefusedRequestError)
      return { URL: url, StatusCode: 0, Status: `${REFUSED}: ${err.reason}` };
    if (budget.deadline.aborted)
      return { URL: url, StatusCode: 0, Status: `${NOT_CHECKED}: the check ran out of time` };
    return { URL: url, StatusCode: 0, Status: describeFailure(err) };
  }
}

function describeFailure(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'HPE_HEADER_OVERFLOW') return 'response headers too large';
  return e.cause?.message ?? e.message;
}

/**
 * Checks the first MAX_LINKS links, at most `concurrency` at a time, within the check's budget of time and bytes.
 * Errors are the target's: 4xx, 5xx and failed requests (status 0); links refused or not requested are not.
 */
export async function checkLinks(urls: string[], options: LinkCheckOptions): Promise<LinkCheckResponse> {
  const list = urls.slice(0, MAX_LINKS);
  const links: LinkStatus[] = new Array(list.length);
  const budget: Budget = {
    deadline: AbortSignal.timeout(options.budgetMs ?? BUDGET_MS),
    bytes: options.budgetBytes ?? BUDGET_BYTES,
  };
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      links[i] = await checkOne(list[i]!, options, budget);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? CONCURRENCY, list.length) }, worker),
  );
  const ours = (l: LinkStatus) => l.Status.startsWith(NOT_CHECKED) || l.Status.startsWith(REFUSED);
  return {
    Errors: links.filter((l) => !ours(l) && (l.StatusCode === 0 || l.StatusCode >= 400)).length,
    Links: links,
  };
}
