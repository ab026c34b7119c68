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
