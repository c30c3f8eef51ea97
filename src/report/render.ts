import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatCount } from './durations.js';
import { neutraliseMergeTags } from './escape.js';
import { inlineCss } from './inline-css.js';
import type { BarSegment, ReportModel, Tone } from './model.js';
import { chunk } from '../collections.js';
import type { ChartTone } from './charts.js';
import type { SectionTable, SourceSection } from '../sources/section.js';
import { TEMPLATE_DIR, escapeExpression, loadReportTemplates, type ReportTemplates } from './templates.js';

/** `web`: the page behind the report link; `pdf`: that page as printed; `email`: the summary that is sent. */
export type ReportKind = 'email' | 'web' | 'pdf';

/** Gmail clips messages above ~102 KB; the email is a summary that stays well under, whatever the ticket count. */
export const EMAIL_BYTE_LIMIT = 60_000;

/**
 * The PDF lists at most this many tickets, the most relevant first (about 25 pages), and says so where the list
 * starts; the web report lists them all. Chromium's print time grows faster than the row count: on two cores a
 * thousand rows print in about 2 s, ten thousand (250 pages) in about 30 s, far beyond a report made while the
 * person who asked for it waits.
 */
export const PDF_TICKET_LIMIT = 1_000;

const SEGMENT_COLORS: Record<Exclude<BarSegment['tone'], 'share'>, string> = {
  met: '#1f9d55',
  missed: '#d64545',
  pending: '#c3cad4',
};

/**
 * A change's tone as its colour (the `.tone-*` colours), written on the element itself: the build inlines the
 * email's CSS into the template before any tone is known (email-template.ts).
 */
const TONE_COLORS: Record<Tone, string> = {
  good: '#15803d',
  bad: '#b91c1c',
  neutral: '#6b7280',
};

/** The second series of a chart (resolved beside raised): a grey that still stands out on white (3.6:1). */
const SECONDARY_CHART_COLOR = '#7b8794';

let compiled: ReportTemplates | undefined;

/**
 * The report as a complete HTML document. `email`: the summary (brand, executive summary, KPI tiles, SLA bars,
 * trend rows, at most ten notable tickets, View the full report) in table layout, CSS inlined, no scripts,
 * Mailchimp merge tags neutralised. `web`: everything, every ticket, charts as inline SVG, sortable headers,
 * phone and print styles. `pdf`: the web page for printing, its ticket list cut to PDF_TICKET_LIMIT.
 * `templates`: by default this process's, loaded once.
 */
export function renderReport(model: ReportModel, kind: ReportKind, templates: ReportTemplates = loadTemplates()): string {
  if (kind !== 'email') return templates.web(templateContext(model, kind));
  const email = templates.email(templateContext(model, 'email'));
  return neutraliseMergeTags(templates.emailCssInlined ? email : inlineCss(email));
}

/**
 * The web report's inline scripts as Content-Security-Policy sources (`'sha256-…'`), so the page may run
 * exactly these and nothing else inline. They contain no template expressions, so the page carries them verbatim.
 */
export function webReportScriptHashes(): string[] {
  const source = readFileSync(new URL('web.hbs', TEMPLATE_DIR), 'utf8');
  return [...source.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
}

/** The web report's Download PDF link, as the template writes it: `report.pdf`, beside the page in the report's folder. */
const PDF_LINK = /<a class="pdf-link" href="report\.pdf" download data-pdf-link>[^<]*<\/a>/;

/** The web report without its Download PDF link, for a report that has no PDF. */
export function withoutPdfLink(html: string): string {
  return html.replace(PDF_LINK, '');
}

/** The web report with its Download PDF link pointing at `href` (the signed address the page was opened with). */
export function withPdfLink(html: string, href: string): string {
  return html.replace(PDF_LINK, (link) => link.replace('href="report.pdf"', `href="${escapeExpression(href)}"`));
}

export function byteLength(html: string): number {
  return Buffer.byteLength(html, 'utf8');
}

function templateContext(model: ReportModel, kind: ReportKind) {
  const total = model.tickets.length;
  const shown = kind === 'pdf' ? Math.min(total, PDF_TICKET_LIMIT) : total;
  const chart = model.brand.colors.chart;
  const toneColor = (tone: ChartTone) => (tone === 'primary' ? chart : SECONDARY_CHART_COLOR);
  return {
    ...model,
    logoSrc: kind === 'email' ? model.brand.logo?.email ?? null : model.brand.logo?.web ?? null,
    preheader: preheader(model),
    kpiRows: chunk(model.kpis.map(withChangeColor), 4),
    notable: model.notable.map((ticket) => ({ ...ticket, color: TONE_COLORS[ticket.tone] })),
    sla: model.sla.map((bar) => ({ ...bar, segments: colouredSegments(bar.segments, chart), rest: restWidth(bar.segments) })),
    breakdowns: model.breakdowns.map((breakdown) => ({
      ...breakdown,
      rows: breakdown.rows.map((row) => ({ ...row, segments: colouredSegments(row.segments, chart), rest: restWidth(row.segments) })),
    })),
    trends: model.trends && {
      ...model.trends,
      rows: model.trends.rows.map((row) => ({ ...row, bar: colouredSegments(row.bar, chart), rest: restWidth(row.bar) })),
      charts: model.trends.charts.map((figure) => ({
        ...figure,
        groups: figure.groups.map((group) => ({ ...group, bars: group.bars.map((bar) => ({ ...bar, color: toneColor(bar.tone) })) })),
        legend: figure.legend.map((entry) => ({ ...entry, color: toneColor(entry.tone) })),
      })),
    },
    sources: model.sources.map((section) => ({
      ...section,
      tiles: section.tiles.map(withChangeColor),
      tileRows: chunk(section.tiles, 4),
      // The email keeps to its budget: its tables and the month-by-month bars become a line of text each.
      tables: kind === 'email' ? [] : section.tables,
      lines: kind === 'email' ? sourceLines(section) : [],
      bars: kind === 'email' ? [] : section.bars.map((bars) => ({ ...bars, rows: bars.rows.map((row) => ({ ...row, segments: row.width > 0 ? [{ tone: 'share', width: row.width, label: row.value, color: chart }] : [], rest: 100 - row.width })) })),
    })),
    web: kind !== 'email',
    downloadLink: kind === 'web',
    proactiveSingular: model.highlights.proactiveCount === 1,
    hasTickets: total > 0,
    ticketRows: kind === 'email' ? [] : model.tickets.slice(0, shown),
    ticketCountText: shown === total ? `${formatCount(total)} raised, resolved or open during the period` : `${formatCount(shown)} of ${formatCount(total)} listed here`,
    truncated: shown !== total,
    shownCount: formatCount(shown),
    totalCount: formatCount(total),
    linkToFull: kind === 'email',
  };
}

/** A source section's email tables and bars as lines: "Most affected endpoints: ACME-LT-001: 3 threats · ACME-LT-002: 1 threats". */
function sourceLines(section: SourceSection): string[] {
  const cells = (table: SectionTable, row: string[]) => `${row[0]}: ${row.slice(1).map((cell, index) => `${cell} ${table.columns[index + 1]!.toLowerCase()}`).join(', ')}`;
  const tables = section.tables.filter((table) => table.inEmail).map((table) => `${table.title}: ${table.rows.length > 0 ? table.rows.map((row) => cells(table, row)).join(' · ') : table.empty}`);
  const bars = section.bars.map((list) => `${list.title}: ${list.rows.map((row) => `${row.label} ${row.value}`).join(' · ')}`);
  return [...tables, ...bars];
}

function withChangeColor<Tile extends { change: { tone: Tone } | null }>(tile: Tile) {
  return { ...tile, change: tile.change && { ...tile.change, color: TONE_COLORS[tile.change.tone] } };
}

/** Met, missed and pending keep their meaning's colours; a plain share takes the brand's chart colour. */
function colouredSegments(segments: BarSegment[], shareColor: string) {
  return segments.map((segment) => ({ ...segment, color: segment.tone === 'share' ? shareColor : SEGMENT_COLORS[segment.tone] }));
}

function restWidth(segments: BarSegment[]): number {
  const used = segments.reduce((sum, segment) => sum + segment.width, 0);
  return Math.max(0, 100 - used);
}

function preheader(model: ReportModel): string {
  const figure = (label: string) => model.kpis.find((kpi) => kpi.label === label)?.value ?? '–';
  return `${model.period.label}: ${figure('Tickets')} tickets, ${figure('Resolved')} resolved, first-reply SLA ${figure('SLA kept')} kept.`;
}

function loadTemplates(): ReportTemplates {
  compiled ??= loadReportTemplates();
  return compiled;
}
