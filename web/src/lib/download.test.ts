import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispositionName, downloadFile, setDownloadFetch } from './download.ts';
import { ApiError } from './api.ts';
import { session } from './session.svelte.ts';

describe('downloadFile', () => {
  afterEach(() => { session.clear(); vi.restoreAllMocks(); });

  it('reads the file name of a Content-Disposition header', () => {
    expect(dispositionName('attachment; filename="tradelab-tax-2024.csv"')).toBe('tradelab-tax-2024.csv');
    expect(dispositionName("attachment; filename*=UTF-8''a%20b.csv")).toBe('a b.csv');
    expect(dispositionName('attachment; filename=x.csv')).toBe('x.csv');
    expect(dispositionName('attachment; filename="../../etc/passwd"')).toBe('.._.._etc_passwd');
    expect(dispositionName(null)).toBeNull();
  });

  it('fetches with the Bearer token and saves the body through a Blob URL under the server\'s file name', async () => {
    session.set('tok-1', 'viewer', 'viewer');
    const calls: { url: string; headers: Record<string, string> }[] = [];
    setDownloadFetch(async (url, init) => {
      calls.push({ url: String(url), headers: init?.headers as Record<string, string> });
      return new Response('token,amount\nBTC,1\n', { status: 200, headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="tradelab-tax-2024.csv"' } });
    });
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => { blobs.push(b); return 'blob:x'; });
    URL.revokeObjectURL = vi.fn();
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { clicked.push({ href: this.href, download: this.download }); });
    const name = await downloadFile('/api/reports/tax', { format: 'csv', year: 2024 }, 'fallback.csv');
    expect(name).toBe('tradelab-tax-2024.csv');
    expect(calls[0].url).toBe('/api/reports/tax?format=csv&year=2024');
    expect(calls[0].url).not.toContain('token');
    expect(calls[0].headers.authorization).toBe('Bearer tok-1');
    expect(await blobs[0].text()).toBe('token,amount\nBTC,1\n');
    expect(clicked).toEqual([{ href: 'blob:x', download: 'tradelab-tax-2024.csv' }]);
  });

  it('turns an error response into an ApiError with the server\'s message', async () => {
    session.set('tok-1', 'viewer', 'viewer');
    setDownloadFetch(async () => new Response(JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: 'invalid request: querystring.year must be integer' } }), { status: 400 }));
    await expect(downloadFile('/api/reports/tax', { year: 'x' }, 'f.csv')).rejects.toThrowError(ApiError);
    await expect(downloadFile('/api/reports/tax', { year: 'x' }, 'f.csv')).rejects.toThrow(/querystring.year/);
  });
});

describe('openFile', () => {
  afterEach(() => { session.clear(); vi.restoreAllMocks(); });

  it('opens a tab at once and points it at the body fetched with the Bearer token', async () => {
    session.set('tok-2', 'viewer', 'viewer');
    let auth = '';
    setDownloadFetch(async (_url, init) => { auth = (init?.headers as Record<string, string>).authorization; return new Response('<html>report</html>', { headers: { 'content-type': 'text/html' } }); });
    const tab = { location: { href: '' }, close: vi.fn() };
    vi.spyOn(globalThis, 'open').mockReturnValue(tab as unknown as Window);
    URL.createObjectURL = vi.fn(() => 'blob:report');
    URL.revokeObjectURL = vi.fn();
    const { openFile } = await import('./download.ts');
    await openFile('/api/results/r1/files/report.html');
    expect(auth).toBe('Bearer tok-2');
    expect(tab.location.href).toBe('blob:report');
  });

  it('closes the tab when the server refuses', async () => {
    setDownloadFetch(async () => new Response(JSON.stringify({ error: { code: 'FILE_NOT_FOUND', message: "run 'r1' has no file 'x'" } }), { status: 404 }));
    const tab = { location: { href: '' }, close: vi.fn() };
    vi.spyOn(globalThis, 'open').mockReturnValue(tab as unknown as Window);
    const { openFile } = await import('./download.ts');
    await expect(openFile('/api/results/r1/files/x')).rejects.toThrow(/has no file/);
    expect(tab.close).toHaveBeenCalled();
  });
});
