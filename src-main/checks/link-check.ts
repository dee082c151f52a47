import { STATUS_CODES } from 'node:http';
import { parseDocument, DomUtils } from 'htmlparser2';
import type { LinkCheckResponse, LinkStatus } from '../api/types.js';

export interface LinkCheckOptions {
  follow: boolean;
  /** Per request, redirects included. */
  timeoutMs?: number;
  concurrency?: number;
  /** Links not to request (our own tracking endpoints: a request there would count as a click). */
  skip?: (url: URL) => boolean;
}

const TIMEOUT_MS = 10_000;
const CONCURRENCY = 5;
const MAX_REDIRECTS = 10;
/** A mail with thousands of links would keep the check running for minutes; the first ones tell enough. */
export const MAX_LINKS = 200;

const httpUrl = /^https?:\/\//i;

/** The http(s) links of a mail as Mailpit collects them: a[href], stylesheet links, img[src], and URLs in the text. */
export function extractLinks(html: string, text: string): string[] {
  const links: string[] = [];
  if (html) {
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
  // RFC 2396 appendix E: a URL in plain text may be wrapped in angle brackets, and then may span lines.
  for (const m of text.matchAll(/<(https?:\/\/[^>]+)>/gi)) links.push(m[1]!.replace(/\s+/g, ''));
  for (const m of text.matchAll(/(?:^|[^<\w])(https?:\/\/[-\w@:%_+'!.~#?,&/=;]+)/gim)) links.push(m[1]!);
  return [...new Set(links)];
}

/** One link: HEAD (GET when the server refuses HEAD), redirects followed by hand so each hop is bounded. */
async function checkOne(url: string, options: LinkCheckOptions): Promise<LinkStatus> {
  const deadline = AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { URL: url, StatusCode: 0, Status: 'invalid URL' };
  }
  try {
    for (let hop = 0; ; hop++) {
      if (options.skip?.(current)) {
        return { URL: url, StatusCode: 0, Status: 'not checked: a Mailbeacon tracking link' };
      }
      let res = await fetch(current, { method: 'HEAD', redirect: 'manual', signal: deadline });
      if (res.status === 405 || res.status === 501) {
        res = await fetch(current, { method: 'GET', redirect: 'manual', signal: deadline });
        await res.body?.cancel();
      }
      const location = res.headers.get('location');
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
    return { URL: url, StatusCode: 0, Status: describeFailure(err) };
  }
}

function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  return e.cause?.message ?? e.message;
}

/** Checks every link, at most `concurrency` at a time; errors are 4xx, 5xx and failed requests (status 0). */
export async function checkLinks(urls: string[], options: LinkCheckOptions): Promise<LinkCheckResponse> {
  const list = urls.slice(0, MAX_LINKS);
  const links: LinkStatus[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      links[i] = await checkOne(list[i]!, options);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? CONCURRENCY, list.length) }, worker),
  );
  const skipped = (l: LinkStatus) => l.Status.startsWith('not checked');
  return {
    Errors: links.filter((l) => !skipped(l) && (l.StatusCode === 0 || l.StatusCode >= 400)).length,
    Links: links,
  };
}
