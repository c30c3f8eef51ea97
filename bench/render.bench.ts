import { pathToFileURL } from 'node:url';
import { computeMetrics } from '../src/report/metrics.js';
import { byteLength, EMAIL_BYTE_LIMIT, renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from '../test/fixtures/report-sample.js';

const TICKETS = 10_000;
const TIME_GOAL_MS = 1000;

/** Metrics + view + email + web for a 10,000-ticket month: time (goal ≤ 1 s) and email size (goal ≤ 100 KB). */
export async function run(): Promise<Record<string, unknown>> {
  const dataset = sampleDataset({ tickets: TICKETS, seed: 2026 });
  const previous = computeMetrics(sampleDataset({ tickets: TICKETS, seed: 2025, monthsBack: 1 }), { asOf: SAMPLE_AS_OF });

  const once = () => {
    const started = performance.now();
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const view = buildReportModel({ dataset, metrics, previous, brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/bench', asOf: SAMPLE_AS_OF });
    const viewed = performance.now();
    const email = renderReport(view, 'email');
    const emailed = performance.now();
    const web = renderReport(view, 'web');
    const finished = performance.now();
    return {
      metricsAndViewMs: viewed - started,
      emailMs: emailed - viewed,
      webMs: finished - emailed,
      totalMs: finished - started,
      emailBytes: byteLength(email),
      webBytes: byteLength(web),
      shownRows: (email.match(/<tr[ >]/g) ?? []).length,
      ticketRows: view.tickets.length,
    };
  };

  const cold = once();
  const warm = once();
  const format = (value: number) => value.toFixed(0);
  console.log(
    `report.render.${TICKETS} cold total_ms=${format(cold.totalMs)} (metrics+view=${format(cold.metricsAndViewMs)} email=${format(cold.emailMs)} web=${format(cold.webMs)}) goal<=${TIME_GOAL_MS} ${cold.totalMs <= TIME_GOAL_MS ? 'OK' : 'OVER'}`,
  );
  console.log(
    `report.render.${TICKETS} warm total_ms=${format(warm.totalMs)} (metrics+view=${format(warm.metricsAndViewMs)} email=${format(warm.emailMs)} web=${format(warm.webMs)}) goal<=${TIME_GOAL_MS} ${warm.totalMs <= TIME_GOAL_MS ? 'OK' : 'OVER'}`,
  );
  console.log(
    `report.render.${TICKETS} email_bytes=${warm.emailBytes} goal<=${EMAIL_BYTE_LIMIT} ${warm.emailBytes <= EMAIL_BYTE_LIMIT ? 'OK' : 'OVER'} web_bytes=${warm.webBytes} tickets_in_report=${warm.ticketRows}`,
  );
  return {
    tickets: TICKETS,
    coldTotalMs: Math.round(cold.totalMs),
    warmTotalMs: Math.round(warm.totalMs),
    emailMs: Math.round(warm.emailMs),
    webMs: Math.round(warm.webMs),
    emailBytes: warm.emailBytes,
    webBytes: warm.webBytes,
    ticketsInReport: warm.ticketRows,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
