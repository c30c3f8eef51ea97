import { describe, expect, it } from 'vitest';
import { parsePeriod, previousPeriod, trailingMonths } from '../src/period/period.js';
import { computeSentinelOneFigures, sentinelOneHeadline, sentinelOneSection, threatWindow, type SentinelOneAgent, type SentinelOneThreat } from '../src/sentinelone/index.js';

const october = parsePeriod('2026-10', { timezone: 'Europe/Amsterdam', now: new Date('2026-11-20T12:00:00Z') });
const months = trailingMonths(october, 12);
const site = { id: '42', name: 'Acme Corporation' };

const agent = (name: string, changes: Partial<SentinelOneAgent> = {}): SentinelOneAgent => ({ id: name, computerName: name, siteId: '42', osType: 'windows', isUpToDate: true, ...changes });
const threat = (endpoint: string, createdAt: string, info: Partial<SentinelOneThreat['threatInfo']> = {}): SentinelOneThreat => ({
  id: `${endpoint}-${createdAt}`,
  agentRealtimeInfo: { agentComputerName: endpoint, siteId: '42' },
  threatInfo: { confidenceLevel: 'malicious', mitigationStatus: 'mitigated', incidentStatus: 'resolved', ...info, createdAt },
});

const agents = [
  agent('PC-1'),
  agent('PC-2', { isUpToDate: false }),
  agent('PC-3', { isUpToDate: 'True' }),
  agent('MAC-1', { osType: 'macos', isUpToDate: 'false' }),
  agent('SRV-1', { osType: 'linux' }),
  agent('OLD-1', { isDecommissioned: true, isUpToDate: false }),
  agent('GONE-1', { isUninstalled: true }),
];

// October in Amsterdam runs from 30 Sep 22:00 UTC to 31 Oct 23:00 UTC.
const threats = [
  threat('PC-1', '2026-09-30T21:59:59.000Z'),
  threat('PC-1', '2026-09-30T22:00:00.000Z', { confidenceLevel: 'suspicious', mitigationStatus: 'marked_as_benign' }),
  threat('PC-1', '2026-10-12T08:00:00.000Z', { mitigationStatus: 'not_mitigated', incidentStatus: 'unresolved' }),
  threat('MAC-1', '2026-10-20T08:00:00.000Z', { confidenceLevel: 'n/a', mitigationStatus: 'active' }),
  threat('SRV-1', '2026-10-31T22:59:59.000Z', { confidenceLevel: 'weird' }),
  threat('SRV-1', '2026-10-31T23:00:00.000Z'),
  threat('PC-2', '2025-11-15T12:00:00.000Z'),
];

const figures = computeSentinelOneFigures({ site, agents, threats, unresolvedNow: 2, period: october, previous: previousPeriod(october), months });

describe('SentinelOne figures from hand-made agents and threats', () => {
  it('counts protected endpoints by OS and the out-of-date ones, whatever case the flag comes in', () => {
    expect(figures.endpoints).toEqual({
      protected: 5,
      byOs: [{ os: 'Windows', count: 3 }, { os: 'Linux', count: 1 }, { os: 'macOS', count: 1 }],
      outOfDate: 2,
    });
  });

  it('counts the period\'s threats on local month bounds, half-open, by confidence and mitigation, unknown values as other', () => {
    expect(figures.threats.inPeriod).toBe(4);
    expect(figures.threats.previous).toBe(1);
    expect(figures.threats.byConfidence).toEqual([
      { level: 'malicious', count: 1 },
      { level: 'suspicious', count: 1 },
      { level: 'n/a', count: 1 },
      { level: 'other', count: 1 },
    ]);
    expect(figures.threats.byMitigation).toEqual([
      { status: 'mitigated', count: 1 },
      { status: 'not_mitigated', count: 1 },
      { status: 'marked_as_benign', count: 1 },
      { status: 'other', count: 1 },
    ]);
    expect(figures.threats.unresolvedNow).toBe(2);
    expect(figures.threats.mostAffected).toEqual([{ endpoint: 'PC-1', threats: 2 }, { endpoint: 'MAC-1', threats: 1 }, { endpoint: 'SRV-1', threats: 1 }]);
  });

  it('gives twelve months of trend ending with the period, and asks for threats from the trend\'s first month', () => {
    expect(figures.trend.map((month) => month.threats)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4]);
    expect(figures.trend[0]).toEqual({ month: '2025-11', label: 'November 2025', threats: 1 });
    expect(threatWindow(october, previousPeriod(october), months)).toEqual({ from: new Date('2025-10-31T23:00:00.000Z'), to: new Date('2026-10-31T23:00:00.000Z') });
  });

  it('words the headline and the section the way a client reads them', () => {
    expect(sentinelOneHeadline(figures)).toBe('5 endpoints protected (2 out of date) · 4 threats, 2 mitigated · 2 unresolved');
    const quiet = computeSentinelOneFigures({ site, agents: [agent('PC-1')], threats: [], unresolvedNow: 0, period: october, previous: previousPeriod(october), months });
    expect(sentinelOneHeadline(quiet)).toBe('1 endpoint protected · no threats');

    const section = sentinelOneSection(figures, { period: 'October 2026', previousPeriod: 'Sep 2026' });
    expect(section.tiles.map((tile) => [tile.label, tile.value, tile.note, tile.change?.text ?? null, tile.change?.tone ?? null])).toEqual([
      ['Protected endpoints', '5', '2 agents out of date', null, null],
      ['Threats', '4', 'in October 2026', '3 vs Sep 2026', 'bad'],
      ['Mitigated', '2 of 4', 'mitigated or benign', null, null],
      ['Unresolved now', '2', 'being worked on', null, null],
    ]);
    expect(section.bars[0]!.rows.at(-1)).toEqual({ label: 'October 2026', value: '4', width: 100 });
    expect(section.tables.find((table) => table.inEmail)!.rows).toEqual([['PC-1', '2'], ['MAC-1', '1'], ['SRV-1', '1']]);
  });
});
