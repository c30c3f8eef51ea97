import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/logger.js';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { createPdfPrinter } from '../src/pdf/printer.js';
import { computeHistory } from '../src/report/history.js';
import { computeMetrics } from '../src/report/metrics.js';
import { buildReportModel } from '../src/report/model.js';
import { byteLength, EMAIL_BYTE_LIMIT, renderReport } from '../src/report/render.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, SAMPLE_TIMEZONE, sampleDataset, sampleYear } from '../test/fixtures/report-sample.js';

const TICKETS = 10_000;
const RENDER_GOAL_MS = 1000;
const PDF_GOAL_MS = 3000;
const CHROMIUM = '/usr/bin/chromium';

/**
 * A 10,000-ticket month with its year of trends: metrics, history, model, email and web (goal ≤ 1 s), then the
 * same with the PDF printed by Chromium, whose browser is already running as in the bot (goal ≤ 3 s); email size
 * (goal ≤ 60 KB). Cold is the first run in the process, warm the second. The CPU time of the part without the
 * PDF is printed beside its wall time: on a machine busy with other work it is close to what an idle one would show.
 */
export async function run(): Promise<Record<string, unknown>> {
  const dataset = sampleDataset({ tickets: TICKETS, seed: 2026, firstId: 100_000 });
  const year = sampleYear({ tickets: TICKETS, seed: 2026 });
  const october = parsePeriod('2026-10', { timezone: SAMPLE_TIMEZONE, now: SAMPLE_AS_OF });
  const previous = computeMetrics(sampleDataset({ tickets: TICKETS, seed: 2025, monthsBack: 1 }), { asOf: SAMPLE_AS_OF });
  const printer = existsSync(CHROMIUM) ? createPdfPrinter({ chromium: { path: CHROMIUM }, logger: silentLogger }) : undefined;

  const once = async () => {
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const history = computeHistory(year, { months: trailingMonths(october, 12), asOf: SAMPLE_AS_OF });
    const model = buildReportModel({ dataset, metrics, previous, history, brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/bench', asOf: SAMPLE_AS_OF });
    const modelled = performance.now();
    const email = renderReport(model, 'email');
    const emailed = performance.now();
    const web = renderReport(model, 'web');
    const rendered = performance.now();
    const renderCpu = process.cpuUsage(cpuAtStart);
    const pdf = printer ? await printer.print(renderReport(model, 'pdf'), { paper: 'a4', brandName: model.brand.name, brandColor: model.brand.colors.text, title: `${model.client.name} · ${model.period.label}`, footer: null }) : undefined;
    const printed = performance.now();
    return {
      modelMs: modelled - started,
      emailMs: emailed - modelled,
      webMs: rendered - emailed,
      renderMs: rendered - started,
      renderCpuMs: (renderCpu.user + renderCpu.system) / 1000,
      pdfMs: printed - rendered,
      totalMs: printed - started,
      emailBytes: byteLength(email),
      webBytes: byteLength(web),
      pdfBytes: pdf?.length ?? 0,
      ticketRows: model.tickets.length,
    };
  };

  try {
    // The bot keeps one Chromium running for every report; start it before measuring, as a running bot has.
    await printer?.rasterize(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'), 1);
    const cold = await once();
    const warm = await once();
    const f = (value: number) => value.toFixed(0);
    for (const [name, figures] of [['cold', cold], ['warm', warm]] as const) {
      console.log(`report.render.${TICKETS} ${name} without_pdf_ms=${f(figures.renderMs)} (metrics+history+model=${f(figures.modelMs)} email=${f(figures.emailMs)} web=${f(figures.webMs)}; cpu=${f(figures.renderCpuMs)}) goal<=${RENDER_GOAL_MS} ${figures.renderMs <= RENDER_GOAL_MS ? 'OK' : 'OVER'}`);
      if (printer) console.log(`report.render.${TICKETS} ${name} with_pdf_ms=${f(figures.totalMs)} (pdf=${f(figures.pdfMs)}) goal<=${PDF_GOAL_MS} ${figures.totalMs <= PDF_GOAL_MS ? 'OK' : 'OVER'}`);
    }
    if (!printer) console.log(`report.render.${TICKETS} pdf skipped: no Chromium at ${CHROMIUM}`);
    console.log(`report.render.${TICKETS} email_bytes=${warm.emailBytes} goal<=${EMAIL_BYTE_LIMIT} ${warm.emailBytes <= EMAIL_BYTE_LIMIT ? 'OK' : 'OVER'} web_bytes=${warm.webBytes} pdf_bytes=${warm.pdfBytes} tickets_in_report=${warm.ticketRows}`);
    return {
      tickets: TICKETS,
      coldWithoutPdfMs: Math.round(cold.renderMs),
      warmWithoutPdfMs: Math.round(warm.renderMs),
      warmWithoutPdfCpuMs: Math.round(warm.renderCpuMs),
      coldWithPdfMs: printer ? Math.round(cold.totalMs) : null,
      warmWithPdfMs: printer ? Math.round(warm.totalMs) : null,
      pdfMs: printer ? Math.round(warm.pdfMs) : null,
      emailBytes: warm.emailBytes,
      webBytes: warm.webBytes,
      pdfBytes: warm.pdfBytes,
      ticketsInReport: warm.ticketRows,
    };
  } finally {
    await printer?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
