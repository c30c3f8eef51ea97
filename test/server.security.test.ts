import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountReportLinks } from '../src/server/report-links.js';
import { signReportLink } from '../src/report/links.js';
import { mountPlayground } from '../src/server/playground/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { fixedClock } from '../src/clock.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { computeMetrics } from '../src/report/metrics.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';
import { REAL_SERVICES } from './support/settings.js';

const SECRET = 'security-link-secret-0123456789';

/** The Content-Security-Policy as directive → sources. */
function policy(header: string | null): Map<string, string[]> {
  expect(header, 'Content-Security-Policy header').toBeTruthy();
  return new Map(header!.split(';').map((part) => part.trim().split(/\s+/)).filter((words) => words[0]).map(([name, ...sources]) => [name!, sources]));
}

function expectHardened(response: Response, what: string): void {
  const csp = policy(response.headers.get('content-security-policy'));
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  expect(scripts, `${what}: script sources`).toBeDefined();
  expect(scripts!.every((source) => source === "'self'" || source === "'none'" || /^'sha256-[A-Za-z0-9+/=]+'$/.test(source)), `${what}: scripts only from our origin or by hash (${scripts!.join(' ')})`).toBe(true);
  expect(csp.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(response.headers.get('x-content-type-options'), `${what}: nosniff`).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), `${what}: referrer policy`).toBe('no-referrer');
}

describe('HTTP hardening of every HTML page', () => {
  const clock = fixedClock('2026-11-25T10:00:00Z');
  let server: HttpServer;
  let reportHtml: string;

  beforeAll(async () => {
    const dataset = sampleDataset({ tickets: 20 });
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    reportHtml = renderReport(buildReportModel({ dataset, metrics, previous: null, brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/1', asOf: SAMPLE_AS_OF }), 'web');
    const config = loadConfig({ REPORT_LINK_SECRET: SECRET });
    const routes = createRoutes();
    mountReportLinks(routes, { config, clock, loadWebHtml: async (reportId) => (reportId === 'rep-1' ? reportHtml : undefined) });
    mountPlayground(routes, {
      config,
      logger: silentLogger,
      outbox: () => [{ id: 'e1', kind: 'campaign', to: ['jane@acme.example'], subject: 'Report', sentAt: '2026-11-25T10:00:00Z', html: '<p>Hello</p>' }],
    });
    server = await listen(routes, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('the report page carries a Content-Security-Policy that allows its own sorting script by hash and nothing inline', async () => {
    const response = await fetch(signReportLink({ reportId: 'rep-1', baseUrl: server.url, secret: SECRET, now: clock.now() }));
    expect(response.status).toBe(200);
    expectHardened(response, 'report page');
    const scripts = policy(response.headers.get('content-security-policy')).get('script-src')!;
    expect(scripts.some((source) => source.startsWith("'sha256-"))).toBe(true);
    expect(scripts).not.toContain("'unsafe-inline'");
  });

  it('the invalid-link page, the playground, its outbox and a sandbox email carry the same headers', async () => {
    for (const [what, url] of [
      ['invalid link', `${server.url}/reports/rep-1?exp=1&sig=x`],
      ['playground', `${server.url}/`],
      ['playground alias', `${server.url}/playground`],
      ['outbox', `${server.url}/playground/outbox`],
      ['outbox email', `${server.url}/playground/outbox/e1`],
      ['unknown outbox email', `${server.url}/playground/outbox/none`],
    ] as const) {
      const response = await fetch(url);
      expect(response.headers.get('content-type'), what).toMatch(/^text\/html/);
      expectHardened(response, what);
    }
  });

  it('a sandbox email is shown in a sandboxed frame-less document that runs no script at all', async () => {
    const response = await fetch(`${server.url}/playground/outbox/e1`);
    const csp = policy(response.headers.get('content-security-policy'));
    expect(csp.has('sandbox')).toBe(true);
    expect(csp.get('script-src') ?? csp.get('default-src')).toEqual(["'none'"]);
  });
});

describe('HOST setting', () => {
  it('listens on 127.0.0.1 in sandbox mode and on every interface otherwise, unless HOST says so', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig(REAL_SERVICES).host).toBe('0.0.0.0');
    expect(loadConfig({ ...REAL_SERVICES, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(() => loadConfig({ HOST: 'not a host!' })).toThrow(/^HOST is not valid/);
  });
});

describe('answers nobody asked for', () => {
  it('an unreadable body, an unknown path or an oversized request get a short plain answer and one log line, never a stack', async () => {
    const lines: Array<Record<string, any>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const routes = createRoutes();
    routes.post('/json', express.json({ limit: '1kb' }), (_request, response) => {
      response.json({ ok: true });
    });
    const server = await listen(routes, 0, '127.0.0.1', logger);
    try {
      const post = async (body: string) => {
        const response = await fetch(`${server.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        return { status: response.status, text: await response.text() };
      };
      expect(await post('{not json')).toEqual({ status: 400, text: 'bad request' });
      expect(await post(JSON.stringify({ padding: 'x'.repeat(2000) }))).toEqual({ status: 413, text: 'too large' });
      const unknown = await fetch(`${server.url}/nowhere`);
      expect({ status: unknown.status, text: await unknown.text() }).toEqual({ status: 404, text: 'not found' });
      expect(lines.map((line) => line.level)).toEqual([40, 40]);
      expect(JSON.stringify(lines)).not.toMatch(/\n\s+at |"stack"/);
    } finally {
      await server.close();
    }
  });
});
