import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../src/report/metrics.js';
import { buildReportModel } from '../src/report/model.js';
import { renderReport } from '../src/report/render.js';
import { loadReportTemplates, precompiledModule, readTemplateSources, type PrecompiledTemplates } from '../src/report/templates.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** The templates as the build precompiles them (dist/report/templates.compiled.cjs), loaded from a folder of their own. */
describe("the build's precompiled report templates", () => {
  let dir: string;
  let precompiled: PrecompiledTemplates;
  const sources = readTemplateSources();
  const dataset = sampleDataset({ tickets: 40, subjects: ['<script>alert(1)</script>', 'Printer {{x}} *|FNAME|*'] });
  const model = buildReportModel({ dataset, metrics: computeMetrics(dataset, { asOf: SAMPLE_AS_OF }), brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/abc?sig=1', asOf: SAMPLE_AS_OF });

  beforeAll(async () => {
    dir = await makeTempDir('ir-templates-');
    const file = path.join(dir, 'templates.compiled.cjs');
    await fs.writeFile(file, precompiledModule(sources));
    precompiled = createRequire(import.meta.url)(file) as PrecompiledTemplates;
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('render every kind of report exactly as the templates compiled from their sources', () => {
    const fromBuild = loadReportTemplates(sources, precompiled);
    const fromSources = loadReportTemplates(sources, undefined);
    for (const kind of ['email', 'web', 'pdf'] as const) {
      const rendered = renderReport(model, kind, fromBuild);
      expect(rendered.length).toBeGreaterThan(10_000);
      expect(rendered).toBe(renderReport(model, kind, fromSources));
    }
  });

  it('give way to the templates on disk once those were edited after the build, the email inlining the edited CSS', () => {
    const edited = { ...sources, web: sources.web.replace('</body>', '<!-- edited after the build --></body>') };
    expect(renderReport(model, 'web', loadReportTemplates(edited, precompiled))).toContain('<!-- edited after the build -->');
    const restyled = { ...sources, partials: { ...sources.partials, styles: sources.partials.styles!.replace('.kpi-value { font-size: 24px;', '.kpi-value { font-size: 26px;') } };
    const email = renderReport(model, 'email', loadReportTemplates(restyled, precompiled));
    expect(email).toContain('<div class="kpi-value" style="font-size: 26px;');
    expect(email).not.toContain('<div class="kpi-value" style="font-size: 24px;');
  });
});
