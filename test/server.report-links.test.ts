import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountReportLinks } from '../src/server/report-links.js';
import { signReportLink, verifyReportLink } from '../src/report/links.js';
import { fixedClock } from '../src/clock.js';

const SECRET = 'report-link-secret-for-tests-0123';

describe('signed report links', () => {
  const clock = fixedClock('2026-11-25T10:00:00Z');
  let server: HttpServer;

  beforeAll(async () => {
    const routes = createRoutes();
    mountReportLinks(routes, {
      config: { report: { fromName: 'MSP', replyTo: 'r@msp.example', linkSecret: SECRET, linkTtlDays: 30 } },
      clock,
      loadWebHtml: async (reportId) => (reportId === 'rep-1' ? '<html><body>October report</body></html>' : undefined),
    });
    server = await listen(routes, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
  });

  const link = (reportId: string, now = clock.now(), ttlDays?: number) =>
    signReportLink({ reportId, baseUrl: `${server.url}/`, secret: SECRET, ttlDays, now });

  it('builds PUBLIC_BASE_URL/reports/<id>?exp=…&sig=… valid for 30 days by default', () => {
    const url = new URL(link('rep-1'));
    expect(url.pathname).toBe('/reports/rep-1');
    expect(Number(url.searchParams.get('exp'))).toBe(Date.parse('2026-12-25T10:00:00Z') / 1000);
    expect(url.searchParams.get('sig')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the web rendering for a valid link, without caching or referrers', async () => {
    const response = await fetch(link('rep-1'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('October report');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers a forged, tampered, swapped or expired link with the same 403 page', async () => {
    const valid = new URL(link('rep-1'));
    const forged = new URL(valid);
    forged.searchParams.set('sig', `${valid.searchParams.get('sig')!.slice(0, -1)}A`);
    const longer = new URL(valid);
    longer.searchParams.set('exp', String(Number(valid.searchParams.get('exp')) + 86_400));
    const otherReport = new URL(valid);
    otherReport.pathname = '/reports/rep-2';
    const expired = link('rep-1', new Date('2026-10-01T00:00:00Z'), 1);
    const missingReportExpired = link('rep-404', new Date('2026-10-01T00:00:00Z'), 1);
    const bodies = new Set<string>();
    for (const url of [forged.toString(), longer.toString(), otherReport.toString(), expired, missingReportExpired, `${server.url}/reports/rep-1`]) {
      const response = await fetch(url);
      expect(response.status).toBe(403);
      bodies.add(await response.text());
    }
    expect(bodies.size).toBe(1);
    const [page] = [...bodies];
    expect(page).toContain('This link is not valid');
    expect(page).not.toContain('rep-');
  });

  it('expires exactly at exp', () => {
    const url = new URL(link('rep-1', clock.now(), 1));
    const exp = url.searchParams.get('exp')!;
    const sig = url.searchParams.get('sig')!;
    expect(verifyReportLink({ reportId: 'rep-1', exp, sig, secret: SECRET, now: new Date(Number(exp) * 1000 - 1) })).toBe(true);
    expect(verifyReportLink({ reportId: 'rep-1', exp, sig, secret: SECRET, now: new Date(Number(exp) * 1000) })).toBe(false);
    expect(verifyReportLink({ reportId: 'rep-1', exp, sig, secret: 'another-secret-0123456789', now: clock.now() })).toBe(false);
  });

  it('says a validly linked report that no longer exists is gone', async () => {
    const response = await fetch(link('rep-404'));
    expect(response.status).toBe(404);
  });
});
