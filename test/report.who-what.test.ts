import { promises as fs } from 'node:fs';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/app/commands.js';
import type { Actor } from '../src/app/ports.js';
import { createChatBot } from '../src/chat/bot.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { monthsIn, parsePeriod, trailingMonths } from '../src/period/period.js';
import { computeHistory } from '../src/report/history.js';
import { computeMetrics } from '../src/report/metrics.js';
import { buildReportModel } from '../src/report/model.js';
import { renderReport } from '../src/report/render.js';
import { subjectPattern, whoAndWhat } from '../src/report/who-what.js';
import { readAudit } from '../src/store/audit.js';
import { createFakeServices } from './support/fake-services.js';
import { createRecordingSurface } from './support/recording-surface.js';
import { cliOnNewDataFolder } from './support/cli.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, SAMPLE_TIMEZONE, sampleDataset, sampleYear } from './fixtures/report-sample.js';

const people = { names: { '100': 'Sanne de Vries', '101': 'Pieter Bakker', '102': 'Tom Jansen', '5': 'Nina Agent' }, agentIds: [5] };

describe('who and what', () => {
  it('names who raised the most (our own agents and proactive work left out), the categories with sub-categories, and subjects that came back', () => {
    const dataset = sampleDataset({ tickets: 0 });
    const ticket = (id: number, requester: number, subject: string, category: string, sub: string | null, proactive = false) => ({
      ...sampleDataset({ tickets: 1, firstId: id }).tickets[0]!, requester_id: requester, subject, category, sub_category: sub, custom_fields: { proactive_case: proactive },
    });
    dataset.tickets = [
      ticket(1, 100, 'Password reset for Pieter Bakker', 'Accounts & Access', 'Password'),
      ticket(2, 100, 'Password reset for Tom Jansen', 'Accounts & Access', 'Password'),
      ticket(3, 101, 'RE: Password reset for Sanne de Vries', 'Accounts & Access', 'Password'),
      ticket(4, 101, 'Printer on floor 2 jammed', 'Hardware', 'Printer'),
      ticket(5, 100, 'Printer on floor 4 jammed', 'Hardware', 'Printer'),
      ticket(6, 102, 'New laptop for Tom', 'Hardware', null),
      ticket(7, 5, 'Proactive: patching completed on 12 servers', 'Software', 'Patching', true),
      ticket(8, 5, 'Disk space low on FS01', 'Hardware', 'Server'),
    ];
    const who = whoAndWhat(dataset.tickets, people);
    expect(who.requesters).toEqual([
      { name: 'Sanne de Vries', tickets: '3', share: '50%' },
      { name: 'Pieter Bakker', tickets: '2', share: '33%' },
      { name: 'Tom Jansen', tickets: '1', share: '17%' },
    ]);
    expect(who.categories[0]).toEqual({ label: 'Accounts & Access › Password', tickets: '3', share: '38%' });
    expect(who.categories[1]).toEqual({ label: 'Hardware › Printer', tickets: '2', share: '25%' });
    expect(who.repeated).toEqual([
      { label: 'Password reset for …', tickets: '3' },
      { label: 'Printer on floor … jammed', tickets: '2' },
    ]);
  });

  it('keeps ordinary words that happen to be names, and numbers inside words out of names', () => {
    const names = new Set(['will', 'may', 'smit']);
    expect(subjectPattern('Will the VPN be back in May?', names)).toBe('… the VPN be back in …');
    expect(subjectPattern('we will try again', names)).toBe('we will try again');
    expect(subjectPattern('Fwd: [EXT] SQL02 backup failed', names)).toBe('… backup failed');
  });

  it('shows hours against the monthly allowance with the overage in the tile, the summary, the section and the hours chart', () => {
    const dataset = sampleDataset({ tickets: 140, firstId: 100_000, seed: 1 });
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const october = parsePeriod('2026-10', { timezone: SAMPLE_TIMEZONE, now: SAMPLE_AS_OF });
    const history = computeHistory(sampleYear({ tickets: 140 }), { months: trailingMonths(october, 12), asOf: SAMPLE_AS_OF });
    const allowance = 40;
    const model = buildReportModel({ dataset, metrics, history, people, monthlyAllowance: allowance, brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    const over = Math.round((metrics.time.billableHours - allowance) * 10) / 10;
    expect(over).toBeGreaterThan(0);
    expect(model.allowance).toMatchObject({ allowed: '40 h', over: `${over} h`, left: null, usedWidth: 100 });
    expect(model.kpis.find((tile) => tile.label === 'Hours worked')!.note).toBe(`${Number(metrics.time.billableHours.toFixed(1))} h billable of 40 h · ${over} h over`);
    expect(model.summary.join(' ')).toContain(`Billable work came to ${Number(metrics.time.billableHours.toFixed(1))} h against the 40 h allowance, ${over} h over.`);
    const web = new JSDOM(renderReport(model, 'web')).window.document;
    expect(web.querySelector('[data-allowance] .allowance-text')!.textContent).toBe(`${Number(metrics.time.billableHours.toFixed(1))} h billable of 40 h allowance · ${over} h over`);
    expect(web.querySelector('#trend-hours .reference-label')!.textContent).toBe('allowance 40 h');
    expect(web.querySelector('#trend-hours .chart-title')!.textContent).toBe('Billable hours against the allowance');
    const requesters = [...web.querySelectorAll('.ww-list')][0]!.querySelectorAll('.ww-row span[dir]');
    expect([...requesters].map((name) => name.textContent)).toEqual(model.whoWhat.requesters.map((entry) => entry.name));
    expect(model.whoWhat.requesters).toHaveLength(5);
    expect(new JSDOM(renderReport(model, 'email')).window.document.querySelector('[data-kpi="Hours worked"]')!.textContent).toContain(`${over} h over`);
  });

  it('scales the allowance to the period: three months for a quarter, part of a month for a day range', () => {
    const now = SAMPLE_AS_OF;
    expect(monthsIn(parsePeriod('2026-Q3', { timezone: SAMPLE_TIMEZONE, now }))).toBe(3);
    expect(monthsIn(parsePeriod('2026-10', { timezone: SAMPLE_TIMEZONE, now }))).toBe(1);
    expect(monthsIn(parsePeriod('2026-10-01..2026-10-15', { timezone: SAMPLE_TIMEZONE, now }))).toBe(0.483);
  });
});

describe('the monthly allowance command', () => {
  it('reads hours, none, and refuses what is not a number of hours with the right form', () => {
    expect(parseCommand('contract Acme 40')).toEqual({ ok: true, command: { name: 'contract', client: 'Acme', hours: 40 } });
    expect(parseCommand('contract "Acme Corp" 12.5h')).toEqual({ ok: true, command: { name: 'contract', client: 'Acme Corp', hours: 12.5 } });
    expect(parseCommand('contract Acme Corp none')).toEqual({ ok: true, command: { name: 'contract', client: 'Acme Corp', hours: null } });
    expect(parseCommand('contract Acme')).toEqual({ ok: true, command: { name: 'contract', client: 'Acme' } });
    expect(parseCommand('contract Acme 4.0.1')).toMatchObject({ ok: false, usage: 'contract <client> [hours | none]', problem: expect.stringContaining('"4.0.1" is not a number of hours') });
  });

  it('lets approvers set it in chat, tells anyone else who may, and shows it to everyone', async () => {
    const clock = fixedClock('2026-11-25T10:00:00Z');
    const services = createFakeServices({ clock, approvers: ['slack:U_APPROVER'] });
    const bot = createChatBot({ services, logger: silentLogger, clock });
    const approver: Actor = { platform: 'slack', id: 'U_APPROVER', name: 'Alice Approver' };
    const staff: Actor = { platform: 'slack', id: 'U_STAFF', name: 'Sam Staff' };

    const refused = createRecordingSurface();
    await bot.handleCommand(staff, 'contract "Acme Corp" 40', refused);
    expect(refused.ephemerals[0]!.text).toBe('Only approvers can set a client\'s monthly hours allowance. Ask one of: Slack user U_APPROVER.');
    expect(await services.contractOf(1)).toBeNull();

    const set = createRecordingSurface();
    await bot.handleCommand(approver, 'contract "Acme Corp" 40', set);
    expect(set.latest()!.text).toBe('Alice Approver set Acme Corp\'s monthly allowance to 40 billable hours; reports from now on show hours against it and any overage.');
    expect(await services.contractOf(1)).toMatchObject({ monthlyHours: 40, setBy: 'Alice Approver' });

    const shown = createRecordingSurface();
    await bot.handleCommand(staff, 'contract acme corp', shown);
    expect(shown.ephemerals[0]!.text).toMatch(/^Acme Corp's contract includes 40 billable hours a month \(set by Alice Approver, /);
  });
});

describe('the monthly allowance, end to end in the sandbox', () => {
  const folder = cliOnNewDataFolder('contract-e2e-');
  const cli = folder.run;

  it('integoreport contract sets it (audited), and the next report shows hours against it and who raised the most by name', async () => {
    expect((await cli('contract', 'Acme', '25')).out).toMatch(/^Acme Corporation: 25 billable hours a month \(set by /);
    const audit = await readAudit(folder.dataDir());
    expect(audit.at(-1)).toMatchObject({ action: 'client.contract', outcome: 'ok', detail: 'Monthly allowance set to 25 billable hours.' });
    const report = JSON.parse((await cli('generate', 'Acme', '2026-10', '--json')).out) as { files: { webHtml: string } };
    const web = new JSDOM(await fs.readFile(report.files.webHtml, 'utf8')).window.document;
    expect(web.querySelector('[data-allowance] .allowance-text')!.textContent).toMatch(/^[\d.]+ h billable of 25 h allowance · /);
    const requesters = [...web.querySelectorAll('.ww-list')][0]!.querySelectorAll('.ww-row');
    expect(requesters.length).toBeGreaterThan(0);
    expect(requesters[0]!.textContent).toMatch(/^[A-Z][a-z]+ [A-Z][\w'-]+/);
    expect((await cli('contract', 'Acme', 'none')).out).toBe('Acme Corporation: no monthly hours allowance.');
  }, 180_000);
});
