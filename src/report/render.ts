import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import juice from 'juice';
import { formatCount } from './durations.js';
import { neutraliseMergeTags } from './escape.js';
import type { BarSegment, KpiTile, ReportModel, TicketRow } from './model.js';
import { chunk } from '../collections.js';
import type { ChartTone } from './charts.js';

export type ReportKind = 'email' | 'web';

/** Gmail clips messages above ~102 KB; the email stays under this many bytes whatever the ticket count. */
export const EMAIL_BYTE_LIMIT = 100_000;

const TEMPLATE_DIR = new URL('../../templates/', import.meta.url);
/** Where the email's ticket rows go; they are styled inline already, so they skip CSS inlining. */
const ROWS_MARKER = '<!--ticket-rows-->';
const SHOWN_COUNT_MARKER = 'SHOWN_TICKET_COUNT';

const SEGMENT_COLORS: Record<Exclude<BarSegment['tone'], 'share'>, string> = {
  met: '#1f9d55',
  missed: '#d64545',
  pending: '#c3cad4',
};

/** The second series of a chart (resolved beside raised): a grey that still stands out on white (3.6:1). */
const SECONDARY_CHART_COLOR = '#7b8794';

const SLA_COLORS: Record<TicketRow['sla']['tone'], string> = {
  met: '#15803d',
  missed: '#b91c1c',
  pending: '#6b7280',
  none: '#9ca3af',
};

interface CompiledTemplates {
  email: Handlebars.TemplateDelegate;
  emailRow: Handlebars.TemplateDelegate;
  web: Handlebars.TemplateDelegate;
}

let compiled: CompiledTemplates | null = null;

/**
 * The report as a complete HTML document. `email`: table layout, CSS inlined, no scripts, at most
 * EMAIL_BYTE_LIMIT bytes (the ticket table is cut to the most relevant rows when needed), Mailchimp
 * merge tags neutralised. `web`: every ticket, sortable headers and print styles.
 */
export function renderReport(model: ReportModel, kind: ReportKind): string {
  const templates = loadTemplates();
  if (kind === 'web') return templates.web(templateContext(model, 'web', { shown: model.tickets.length }));
  return renderEmail(model, templates);
}

/**
 * The web report's inline scripts as Content-Security-Policy sources (`'sha256-…'`), so the page may run
 * exactly these and nothing else inline. They contain no template expressions, so the page carries them verbatim.
 */
export function webReportScriptHashes(): string[] {
  const source = readFileSync(new URL('web.hbs', TEMPLATE_DIR), 'utf8');
  return [...source.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`);
}

export function byteLength(html: string): number {
  return Buffer.byteLength(html, 'utf8');
}

function renderEmail(model: ReportModel, templates: CompiledTemplates): string {
  const total = model.tickets.length;
  const rows: string[] = [];
  let rowBytes = 0;
  for (let index = 0; index < total && rowBytes <= EMAIL_BYTE_LIMIT; index += 1) {
    const row = model.tickets[index];
    const html = neutraliseMergeTags(templates.emailRow({ ...row, stripe: index % 2 === 1, slaColor: SLA_COLORS[row.sla.tone] }));
    rows.push(html);
    rowBytes += byteLength(html);
  }

  const shell = (shown: number | typeof SHOWN_COUNT_MARKER) =>
    neutraliseMergeTags(
      juice(templates.email(templateContext(model, 'email', { shown })), {
        removeStyleTags: true,
        preserveMediaQueries: true,
        preserveImportant: true,
        applyWidthAttributes: false,
        applyHeightAttributes: false,
      }),
    );
  const fill = (html: string, shown: number) => html.replace(ROWS_MARKER, () => rows.slice(0, shown).join(''));

  if (rows.length === total) {
    const complete = shell(total);
    if (byteLength(complete) + rowBytes <= EMAIL_BYTE_LIMIT) return fill(complete, total);
  }

  const truncated = shell(SHOWN_COUNT_MARKER);
  const room = EMAIL_BYTE_LIMIT - byteLength(truncated) - byteLength(SHOWN_COUNT_MARKER) - 16;
  let shown = 0;
  let used = 0;
  while (shown < rows.length && used + byteLength(rows[shown]) <= room) {
    used += byteLength(rows[shown]);
    shown += 1;
  }
  return fill(truncated, shown).replace(SHOWN_COUNT_MARKER, formatCount(shown));
}

function templateContext(model: ReportModel, kind: ReportKind, options: { shown: number | typeof SHOWN_COUNT_MARKER }) {
  const total = model.tickets.length;
  const shown = options.shown;
  const chart = model.brand.colors.chart;
  const toneColor = (tone: ChartTone) => (tone === 'primary' ? chart : SECONDARY_CHART_COLOR);
  return {
    ...model,
    logoSrc: kind === 'web' ? model.brand.logo?.web ?? null : model.brand.logo?.email ?? null,
    preheader: preheader(model),
    kpiRows: chunk(model.kpis, 4) as KpiTile[][],
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
    web: kind === 'web',
    proactiveSingular: model.highlights.proactiveCount === 1,
    hasTickets: total > 0,
    ticketRows: kind === 'web' ? model.tickets : [],
    ticketCountText: `${formatCount(total)} raised, resolved or open during the period`,
    truncated: shown !== total,
    shownCount: typeof shown === 'number' ? formatCount(shown) : shown,
    totalCount: formatCount(total),
    sortable: kind === 'web',
    linkToFull: kind === 'email',
  };
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

function loadTemplates(): CompiledTemplates {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  const partialDir = new URL('partials/', TEMPLATE_DIR);
  for (const file of readdirSync(partialDir)) {
    if (!file.endsWith('.hbs')) continue;
    handlebars.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(new URL(file, partialDir), 'utf8'));
  }
  const compile = (name: string) =>
    handlebars.compile(readFileSync(new URL(name, TEMPLATE_DIR), 'utf8'), { strict: true, preventIndent: true });
  compiled = { email: compile('email.hbs'), emailRow: compile('ticket-row-email.hbs'), web: compile('web.hbs') };
  return compiled;
}
