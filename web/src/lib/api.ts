/**
 * The one way the UI talks to `tradelab serve`: JSON over fetch with the session's Bearer token. Errors come back as
 * ApiError carrying the server's code and message (every 4xx names what was wrong), so pages show them verbatim.
 * A 401 clears the session (the layout then shows the login page).
 */
import { session } from './session.svelte.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined | null>>;
  readonly signal?: AbortSignal;
}

/** Injected for tests (component tests replace it with a fake server). */
let fetcher: typeof fetch = (...a) => fetch(...a);
export function setFetch(f: typeof fetch): void { fetcher = f; }

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export function authHeaders(): Record<string, string> {
  return session.token ? { authorization: `Bearer ${session.token}` } : {};
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  // X-Requested-With: the server then answers 401 without a Basic challenge (no browser password dialog).
  const headers: Record<string, string> = { accept: 'application/json', 'x-requested-with': 'tradelab-web', ...authHeaders() };
  let body: string | undefined;
  if (opts.body !== undefined || (method !== 'GET' && method !== 'DELETE')) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body ?? {});
  }
  const res = await fetcher(apiUrl(path, opts.query), { method, headers, body, signal: opts.signal });
  const text = await res.text();
  let json: unknown = undefined;
  try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status === 401) session.clear();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText), err?.details);
  }
  if (json === undefined && text) throw new ApiError(res.status, 'BAD_RESPONSE', `expected JSON from ${path}, got: ${text.slice(0, 120)}`);
  return json as T;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
