import { promises as fs } from 'node:fs';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/app/commands.js';
import type { Actor, ReportSummary } from '../src/app/ports.js';
import { createChatBot } from '../src/chat/bot.js';
import { digestRowView } from '../src/chat/views/digest.js';
import { renderMessage } from '../src/chat/slack/render.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { readAudit } from '../src/store/audit.js';
import type { DigestRecord } from '../src/store/digests.js';
import { createFakeServices } from './support/fake-services.js';
import { createRecordingSurface } from './support/recording-surface.js';
import { cliOnNewDataFolder } from './support/cli.js';

describe('the map command', () => {
  it('reads the client, then the source and the target; fewer words are the client alone', () => {
    expect(parseCommand('map Acme')).toEqual({ ok: true, command: { name: 'map', client: 'Acme' } });
    expect(parseCommand('map Acme Corp')).toEqual({ ok: true, command: { name: 'map', client: 'Acme Corp' } });
    expect(parseCommand('map "Acme Corp" sentinelone "Acme HQ"')).toEqual({ ok: true, command: { name: 'map', client: 'Acme Corp', source: 'sentinelone', target: 'Acme HQ' } });
    expect(parseCommand('map Acme Corp s1 none')).toEqual({ ok: true, command: { name: 'map', client: 'Acme Corp', source: 's1', target: 'none' } });
    expect(parseCommand('map')).toMatchObject({ ok: false, problem: expect.stringContaining('Which client?') });
  });

  it('lets approvers map in chat and tells anyone else who may', async () => {
    const clock = fixedClock('2026-11-25T10:00:00Z');
    const services = createFakeServices({ clock, approvers: ['slack:U_APPROVER'] });
    const bot = createChatBot({ services, logger: silentLogger, clock });
    const approver: Actor = { platform: 'slack', id: 'U_APPROVER', name: 'Alice Approver' };
    const staff: Actor = { platform: 'slack', id: 'U_STAFF', name: 'Sam Staff' };

    const refused = createRecordingSurface();
    await bot.handleCommand(staff, 'map "Acme Corp" sentinelone "Acme HQ"', refused);
    expect(refused.ephemerals[0]!.text).toBe('Only approvers can map clients to SentinelOne sites or Microsoft 365 tenants. Ask one of: Slack user U_APPROVER.');

    const set = createRecordingSurface();
    await bot.handleCommand(approver, 'map "Acme Corp" sentinelone "Acme HQ"', set);
    expect(set.latest()!.text).toBe('Alice Approver mapped Acme Corp to SentinelOne site Acme HQ; reports from now on include its section.');

    const shown = createRecordingSurface();
    await bot.handleCommand(staff, 'map acme corp', shown);
    expect(shown.ephemerals[0]!.context).toEqual(['SentinelOne: site Acme HQ (mapped by hand by Alice Approver on 2026-11-25).']);
  });

  it('shows the security headline in the digest row, escaped for Slack', () => {
    const report = {
      id: 'r1', version: 1, client: { id: 1, name: 'Acme' }, period: { key: '2026-10', label: 'October 2026', from: '', to: '' }, createdAt: '', createdBy: 'x',
      figures: [], ticketCount: 3, viewUrl: 'https://example.test/r1', recipient: 'a@acme.example',
      sources: [{ key: 'sentinelone', label: 'SentinelOne', headline: '5 endpoints protected · 1 threat, mitigated · <!channel> *bold*' }],
    } satisfies ReportSummary;
    const digest = { id: 'digest-2026-10', periodKey: '2026-10', periodLabel: 'October 2026', createdAt: '', createdBy: 'x', rows: [], posts: [] } satisfies DigestRecord;
    const view = digestRowView(digest, { clientId: 1, clientName: 'Acme', status: 'ready', reportId: 'r1' }, report);
    expect(view.facts).toContainEqual({ label: 'SentinelOne', value: '5 endpoints protected · 1 threat, mitigated · <!channel> *bold*' });
    const slack = JSON.stringify(renderMessage(view));
    expect(slack).toContain('5 endpoints protected');
    expect(slack).not.toContain('<!channel>');
  });
});

describe('mapping by hand, end to end in the sandbox', () => {
  const folder = cliOnNewDataFolder('map-e2e-');
  const cli = folder.run;

  it('integoreport map shows the automatic site, maps an unmapped client by hand (audited), and its next report has the section', async () => {
    expect((await cli('map', 'Acme')).out).toBe('Acme Corporation:\n  SentinelOne: site Acme Corporation (matched by name).\n  Microsoft 365: tenant Acme Corporation (matched by the contact\'s email domain).');
    expect((await cli('map', 'Pied Piper')).out).toBe([
      'Pied Piper:',
      '  SentinelOne: not mapped, no SentinelOne site is named like "Pied Piper"; map it with integoreport map <client> sentinelone <site>.',
      '  Microsoft 365: not mapped, the client has no linked contact whose email domain could name its tenant; map it with integoreport map <client> m365 <tenant>.',
    ].join('\n'));
    expect((await cli('map', 'Pied Piper', 'sentinelone', 'MSP Internal Lab')).out.split('\n')[1]).toMatch(/^ {2}SentinelOne: site MSP Internal Lab \(mapped by hand by .+ on \d{4}-\d{2}-\d{2}\)\.$/);
    expect((await readAudit(folder.dataDir())).at(-1)).toMatchObject({ action: 'client.map', outcome: 'ok', target: { key: 'sentinelone' } });
    const report = JSON.parse((await cli('generate', 'Pied Piper', '2026-10', '--json')).out) as { files: { webHtml: string } };
    const web = new JSDOM(await fs.readFile(report.files.webHtml, 'utf8')).window.document;
    expect(web.querySelector('[data-source="sentinelone"] .section-note')!.textContent).toBe('· SentinelOne · site MSP Internal Lab');
    const bad = await cli('map', 'Pied Piper', 'jira', 'x');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('"jira" is not a data source here; use one of: sentinelone, m365.');
  }, 180_000);
});
