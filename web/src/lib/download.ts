/**
 * File downloads from the API with the session's Bearer token: fetch, then save through a Blob URL (a plain link
 * cannot carry the Authorization header, and the server accepts ?token= only on the websocket). The file name comes
 * from the response's Content-Disposition, else `fallbackName`. Errors are ApiError like api().
 */
import { ApiError, apiUrl, authHeaders, type RequestOptions } from './api.ts';
import { session } from './session.svelte.ts';

/** The filename of a Content-Disposition header (filename*=UTF-8'' or filename=), or null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) { try { return decodeURIComponent(star[1].trim()); } catch { /* fall through */ } }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header);
  const name = plain ? (plain[1] ?? plain[2]).trim() : '';
  return name ? name.replace(/[\\/]/g, '_') : null;
}

/** Injected for tests. */
let fetcher: typeof fetch = (...a) => fetch(...a);
export function setDownloadFetch(f: typeof fetch): void { fetcher = f; }

async function fetchFile(path: string, query: RequestOptions['query']): Promise<Response> {
  const res = await fetcher(apiUrl(path, query), { headers: { 'x-requested-with': 'tradelab-web', ...authHeaders() } });
  if (!res.ok) {
    const text = await res.text();
    let err: { code?: string; message?: string; details?: unknown } | undefined;
    try { err = (JSON.parse(text) as { error?: typeof err }).error; } catch { /* not JSON */ }
    if (res.status === 401) session.clear();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText), err?.details);
  }
  return res;
}

/** Downloads `path` (with `query`) and hands it to the browser as a file; resolves to the file name used. */
export async function downloadFile(path: string, query: RequestOptions['query'], fallbackName: string): Promise<string> {
  const res = await fetchFile(path, query);
  const blob = await res.blob();
  const name = dispositionName(res.headers.get('content-disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Revoke after the click has been handled (synchronously revoking can cancel the download in some browsers).
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return name;
}

/**
 * Opens a file of the API (a run's report.html) in a new tab: the tab is opened at once (in the click, so no popup
 * blocker), then pointed at a Blob URL of the body fetched with the Bearer header. The Blob URL lives as long as the
 * tab may need it (one minute).
 */
export async function openFile(path: string, query?: RequestOptions['query']): Promise<void> {
  const tab = globalThis.open('', '_blank');
  try {
    const blob = await (await fetchFile(path, query)).blob();
    const url = URL.createObjectURL(blob);
    if (tab) tab.location.href = url; else globalThis.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (e) {
    tab?.close();
    throw e;
  }
}
