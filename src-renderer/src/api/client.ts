// The one place the renderer talks HTTP. Every call is same-origin and relative, so the identical bundle works
// in the Electron window and in a browser pointed at `mailbeacon serve`.
import { INBOX_BASE } from '../inboxes/inboxBase';

/** An HTTP failure with the server's own message, so the UI can show what went wrong instead of a blank pane. */
export class ApiError extends Error {
  readonly status: number;
  readonly path: string;

  constructor(path: string, status: number, message: string) {
    super(`[api] ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
  }
}

// Under `/inbox/NAME/` every call goes to that inbox's API.
const API_BASE = `${INBOX_BASE}/api/v1`;

async function failure(path: string, res: Response): Promise<ApiError> {
  let detail = '';
  try {
    const text = await res.text();
    // Fastify and Mailpit both answer errors either as JSON {message|Error} or as plain text.
    try {
      const body = JSON.parse(text) as { message?: string; Error?: string; error?: string };
      detail = body.message ?? body.Error ?? body.error ?? text;
    } catch {
      detail = text;
    }
  } catch {
    // the body could not be read; the status line alone still says what happened
  }
  const what = detail.trim() ? detail.trim().slice(0, 300) : res.statusText || 'request failed';
  return new ApiError(path, res.status, `${res.status} ${what} (${path})`);
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  unscoped = false,
): Promise<Response> {
  const url = unscoped ? path : path.startsWith('/') ? `${INBOX_BASE}${path}` : `${API_BASE}/${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal,
      // An inbox's page asks the unscoped routes without its credentials: they open only that inbox, and a
      // refusal must not make the browser ask for a password.
      credentials: unscoped && INBOX_BASE ? 'omit' : 'same-origin',
      headers:
        body === undefined
          ? { Accept: 'application/json' }
          : { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(url, 0, `the server at ${window.location.host} is unreachable (${url})`);
  }
  if (!res.ok) throw await failure(url, res);
  return res;
}

export const api = {
  /** `path` is relative to /api/v1 (`messages?start=0`), or to the page's inbox when it starts with '/'. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await request('GET', path, undefined, signal);
    return (await res.json()) as T;
  },
  /** An absolute path outside the page's inbox (`/api/v1/inboxes`: every inbox the caller may see). */
  async getUnscoped<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await request('GET', path, undefined, signal, true);
    return (await res.json()) as T;
  },
  async text(path: string, signal?: AbortSignal): Promise<string> {
    const res = await request('GET', path, undefined, signal);
    return res.text();
  },
  async send<T = unknown>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await request(method, path, body);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  },
};

/** Absolute URL of an API path, for links and downloads (iframes with an opaque origin cannot resolve relative ones). */
export function apiUrl(path: string): string {
  return new URL(`${API_BASE}/${path}`, window.location.origin).toString();
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/^\[api\] /, '');
  return String(err);
}
