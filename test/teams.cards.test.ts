import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportSummary } from '../src/app/ports.js';
import type { ClientEntry } from '../src/clients/types.js';
import * as views from '../src/chat/views/builders.js';
import type { View } from '../src/chat/views/view.js';
import { escapeMarkdown } from '../src/chat/teams/markdown.js';
import { CARD_SIZE_LIMIT, cardTemplate, renderCard, renderConfirmation, TEAMS_COMMAND_PREFIX } from '../src/chat/teams/render.js';
import { CARD_KINDS, cardsFolder, expandCard } from '../src/chat/teams/templates.js';

type AdaptiveCardsModule = typeof import('adaptivecards');
let AC: AdaptiveCardsModule;

beforeAll(() => {
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document, HTMLElement: dom.window.HTMLElement });
  AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;
});

/** Parses with the official Adaptive Cards SDK; returns every parse and validation complaint. */
function problems(card: object): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const found: string[] = [];
  for (let index = 0; index < context.eventCount; index += 1) found.push(`parse: ${context.getEventAt(index).message}`);
  for (const event of parsed.validateProperties().validationEvents) found.push(`validate: ${event.message}`);
  if (parsed.version?.toString() !== '1.5') found.push(`version ${parsed.version?.toString()}`);
  return found;
}

function textsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsIn);
  return value && typeof value === 'object' ? Object.values(value).flatMap(textsIn) : [];
}

function textsOf(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(textsOf);
  if (card && typeof card === 'object') {
    return Object.entries(card).flatMap(([key, value]) => (key === 'text' && typeof value === 'string' ? [value] : textsOf(value)));
  }
  return [];
}

const report: ReportSummary = {
  id: 'rep_1',
  version: 1,
  client: { id: 7, name: 'Acme *Corp* [EU] ${secret}' },
  period: { key: '2026-10', label: 'October 2026', from: '2026-10-01', to: '2026-10-31' },
  createdAt: '2026-11-02T08:15:00Z',
  createdBy: 'Sam Taylor',
  figures: [
    { label: 'Tickets', value: '48', change: '▲ 12 %', trend: 'bad' },
    { label: 'Resolved', value: '45' },
    { label: 'Satisfaction', value: '96 %', change: '▲ 1', trend: 'good' },
    { label: 'Open', value: '3' },
  ],
  ticketCount: 48,
  viewUrl: 'http://localhost:3978/reports/rep_1?sig=abc',
  recipient: 'jane@acme.com',
  copyTo: 'reports@msp.com',
};
/** What the Send button carries through the confirmation step: the report and every address it names. */
const SEND_VALUE = JSON.stringify({ reportId: 'rep_1', version: 1, to: ['jane@acme.com', 'reports@msp.com'] });

const clients: ClientEntry[] = Array.from({ length: 40 }, (_, index) => ({
  id: index + 1,
  name: `Client ${index + 1} [Ltd](http://evil.example)`,
  state: index % 3 === 0 ? 'linked' : 'no-contact',
  email: index % 3 === 0 ? `c${index}@example.com` : undefined,
  reason: index % 3 === 0 ? undefined : 'No Mailchimp member has the name or domain of this client',
}));

const sampleViews: Record<string, View> = {
  summary: views.summaryView(report),
  sent: views.sentView(report, { id: 's1', status: 'sent', to: ['jane@acme.com', 'reports@msp.com'], sentBy: 'Sam', sentAt: '2026-11-02T09:00:00Z' }),
  clients: views.clientListView(clients, { page: 2, unlinkedOnly: false }),
  fix: views.fixFormView(clients[1]!, [{ email: 'x@y.com', name: 'X Y', status: 'subscribed', reason: 'same domain y.com', score: 0.8 }]),
  help: views.helpView(TEAMS_COMMAND_PREFIX),
  progress: views.progressView('Acme', 'October 2026', { phase: 'pull', text: 'Pulling tickets… 120/480' }),
  error: views.errorView('Freshservice refused the API key (401).', 'Check FRESHSERVICE_API_KEY.'),
  history: views.historyView({ id: 7, name: 'Acme' }, [report]),
  status: views.statusView({ sandbox: true, clients: 3, linked: 1, reports: 1, sends: 0 }),
};

describe('Adaptive Card templates', () => {
  it.each(CARD_KINDS)('%s: the sample expands to a valid 1.5 card under 28 KB with every binding resolved', async (kind) => {
    const sample = JSON.parse(await fs.readFile(path.join(cardsFolder, `${kind}.sample.json`), 'utf8'));
    const card = expandCard(kind, sample);
    const fromData = textsIn(sample).join('\n');
    const unresolved = (JSON.stringify(card).match(/\$\{[^}]*\}/g) ?? []).filter((binding) => !fromData.includes(binding));
    expect(unresolved).toEqual([]);
    expect(problems(card)).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(CARD_SIZE_LIMIT);
  });

  it.each(Object.keys(sampleViews))('renders the %s view as a valid card', (name) => {
    const card = renderCard(sampleViews[name]!);
    expect(problems(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(CARD_SIZE_LIMIT);
  });

  it('picks the template by what the view is', () => {
    expect(cardTemplate(sampleViews.summary!)).toBe('summary');
    expect(cardTemplate(sampleViews.clients!)).toBe('client-list');
    expect(cardTemplate(sampleViews.fix!)).toBe('fix');
    expect(cardTemplate(sampleViews.help!)).toBe('help');
    expect(cardTemplate(sampleViews.error!)).toBe('error');
    expect(cardTemplate(sampleViews.status!)).toBe('error');
    expect(cardTemplate({ kind: 'notice', text: 'Hello' })).toBe('message');
  });

  it('names commands as they are typed in Teams and leaves names people typed as they are', () => {
    const help = textsOf(renderCard(views.helpView(TEAMS_COMMAND_PREFIX))).join('\n');
    expect(help).toContain('Examples: generate "Acme Corp" 2026-10');
    expect(help).not.toContain('/integoreport');
    const named = renderCard(views.summaryView({ ...report, client: { id: 7, name: 'Ops /integoreport desk' } }));
    expect(textsOf(named).join('\n')).toContain('Ops /integoreport desk');
  });

  it('shows outside text literally: markdown is escaped and ${...} in data is never expanded', () => {
    const card = renderCard(sampleViews.summary!);
    const title = textsOf(card).find((text) => text.includes('Acme'))!;
    expect(title).toBe('Acme \\*Corp\\* \\[EU\\] ${secret}: October 2026');
    const list = JSON.stringify(renderCard(sampleViews.clients!));
    expect(list).not.toContain('[Ltd](http');
    expect(list).toContain('\\\\[Ltd\\\\](http://evil.example)');
    expect(escapeMarkdown('# Title\n- item\n1. first\n{{DATE(2026-01-01T00:00:00Z, SHORT)}}')).toBe('\\# Title\n\\- item\n1\\. first\n{\u200b{DATE(2026-01-01T00:00:00Z, SHORT)}}');
  });

  it('summary card: KPI tiles, facts, View report link and Execute buttons with a Submit fallback', () => {
    const card = renderCard(sampleViews.summary!) as { body: unknown[]; actions: Array<Record<string, unknown>> };
    const json = JSON.stringify(card);
    for (const figure of report.figures) expect(json).toContain(`"text":"${figure.value}"`);
    expect(card.actions.map((action) => action.title)).toEqual(['View report', 'Send to client', 'Send test to me', 'Discard']);
    expect(card.actions[0]).toMatchObject({ type: 'Action.OpenUrl', url: report.viewUrl });
    expect(card.actions[1]).toMatchObject({
      type: 'Action.Execute',
      verb: 'report.send',
      style: 'positive',
      data: { action: 'report.send', value: SEND_VALUE, confirm: { confirm: 'Send' } },
      fallback: { type: 'Action.Submit', data: { action: 'report.send', value: SEND_VALUE } },
    });
    expect(card.actions[3]).toMatchObject({ style: 'destructive' });
  });

  it('fix card: an expanded choice set and an email input', () => {
    const card = renderCard(sampleViews.fix!);
    const json = JSON.stringify(card);
    expect(json).toContain('"type":"Input.ChoiceSet"');
    expect(json).toContain('"style":"expanded"');
    expect(json).toMatch(/"type":"Input.Text","id":"email".*"style":"Email"/);
  });

  it('the confirmation step names the recipients and offers Confirm and Cancel', () => {
    const send = sampleViews.summary!.buttons!.find((button) => button.action === 'report.send')!;
    const card = renderConfirmation({ action: send.action, value: send.value, confirm: send.confirm! }) as { actions: Array<Record<string, unknown>> };
    expect(problems(card)).toEqual([]);
    expect(textsOf(card).join(' ')).toContain('jane@acme.com and a copy to reports@msp.com?');
    expect(card.actions.map((action) => [action.title, action.data])).toEqual([
      ['Send', { action: 'report.send', value: SEND_VALUE, confirmed: true }],
      ['Cancel', { action: 'report.send', value: SEND_VALUE, cancelled: true }],
    ]);
  });

  it('stays under 28 KB when a list is very long, saying how many are not shown', () => {
    const sections = Array.from({ length: 400 }, (_, index) => ({ title: `Client ${index}`, text: 'x'.repeat(300) }));
    const card = renderCard({ kind: 'help', title: 'Huge', sections });
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(CARD_SIZE_LIMIT);
    expect(JSON.stringify(card)).toMatch(/…and \d+ more not shown\./);
    expect(problems(card)).toEqual([]);
  });
});
