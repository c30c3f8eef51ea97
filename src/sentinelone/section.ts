/** The report's endpoint-security section and the card's headline, from SentinelOne figures (pure). */
import type { SectionTile, SourceSection } from '../sources/section.js';
import type { ConfidenceLevel, MitigationStatus, SentinelOneFigures } from './figures.js';

const CONFIDENCE_NAMES: Record<ConfidenceLevel, string> = { malicious: 'Malicious', suspicious: 'Suspicious', 'n/a': 'Not rated', other: 'Other' };
const MITIGATION_NAMES: Record<MitigationStatus, string> = { mitigated: 'Mitigated', not_mitigated: 'Not mitigated', marked_as_benign: 'Marked as benign', other: 'Other' };

const count = (value: number) => value.toLocaleString('en-GB');
const plural = (value: number, one: string, many = `${one}s`) => `${count(value)} ${value === 1 ? one : many}`;

function mitigated(figures: SentinelOneFigures): number {
  return figures.threats.byMitigation.filter((entry) => entry.status === 'mitigated' || entry.status === 'marked_as_benign').reduce((sum, entry) => sum + entry.count, 0);
}

/** More threats is bad news; the arrow shows the direction, the text the difference. */
function threatChange(now: number, before: number, previousLabel: string | null): SectionTile['change'] {
  if (!previousLabel) return null;
  if (now === before) return { arrow: '', text: `no change vs ${previousLabel}`, tone: 'neutral' };
  const difference = now - before;
  return { arrow: difference > 0 ? '▲' : '▼', text: `${count(Math.abs(difference))} vs ${previousLabel}`, tone: difference > 0 ? 'bad' : 'good' };
}

/** `previousPeriod`: the previous period as a change names it ("Sep 2026"). */
export function sentinelOneSection(figures: SentinelOneFigures, labels: { period: string; previousPeriod: string | null }): SourceSection {
  const { endpoints, threats } = figures;
  const handled = mitigated(figures);
  const peak = Math.max(1, ...figures.trend.map((month) => month.threats));
  const nonZero = <T extends { count: number }>(rows: T[]) => rows.filter((row) => row.count > 0);
  return {
    key: 'sentinelone',
    title: 'Endpoint security',
    subtitle: `SentinelOne · site ${figures.site.name}`,
    tiles: [
      { label: 'Protected endpoints', value: count(endpoints.protected), note: endpoints.outOfDate > 0 ? `${count(endpoints.outOfDate)} agent${endpoints.outOfDate === 1 ? '' : 's'} out of date` : 'all agents up to date', change: null },
      { label: 'Threats', value: count(threats.inPeriod), note: `in ${labels.period}`, change: threatChange(threats.inPeriod, threats.previous, labels.previousPeriod) },
      { label: 'Mitigated', value: threats.inPeriod > 0 ? `${count(handled)} of ${count(threats.inPeriod)}` : '–', note: 'mitigated or benign', change: null },
      { label: 'Unresolved now', value: count(threats.unresolvedNow), note: threats.unresolvedNow > 0 ? 'being worked on' : 'nothing open', change: null },
    ],
    tables: [
      {
        title: 'Endpoints by operating system',
        columns: ['Operating system', 'Endpoints'],
        rows: endpoints.byOs.map((entry) => [entry.os, count(entry.count)]),
        empty: 'No protected endpoints.',
        inEmail: false,
      },
      {
        title: 'Threats by confidence',
        columns: ['Confidence', 'Threats'],
        rows: nonZero(threats.byConfidence).map((entry) => [CONFIDENCE_NAMES[entry.level], count(entry.count)]),
        empty: 'No threats this period.',
        inEmail: false,
      },
      {
        title: 'Threats by mitigation status',
        columns: ['Status', 'Threats'],
        rows: nonZero(threats.byMitigation).map((entry) => [MITIGATION_NAMES[entry.status], count(entry.count)]),
        empty: 'No threats this period.',
        inEmail: false,
      },
      {
        title: 'Most affected endpoints',
        columns: ['Endpoint', 'Threats'],
        rows: threats.mostAffected.map((entry) => [entry.endpoint, count(entry.threats)]),
        empty: 'No endpoint had a threat this period.',
        inEmail: true,
      },
    ],
    bars: [{ title: 'Threats per month', rows: figures.trend.map((month) => ({ label: month.label, value: count(month.threats), width: Math.round((month.threats / peak) * 100) })) }],
    notes: [`Endpoints and unresolved threats as SentinelOne shows them now; threats by the month SentinelOne recorded them.`],
  };
}

/** One line for the card and the digest row. */
export function sentinelOneHeadline(figures: SentinelOneFigures): string {
  const { endpoints, threats } = figures;
  const parts = [`${plural(endpoints.protected, 'endpoint')} protected`];
  if (endpoints.outOfDate > 0) parts[0] += ` (${count(endpoints.outOfDate)} out of date)`;
  if (threats.inPeriod === 0) parts.push('no threats');
  else {
    const handled = mitigated(figures);
    parts.push(`${plural(threats.inPeriod, 'threat')}, ${handled === threats.inPeriod ? (threats.inPeriod === 1 ? 'mitigated' : 'all mitigated') : `${count(handled)} mitigated`}`);
  }
  if (threats.unresolvedNow > 0) parts.push(`${count(threats.unresolvedNow)} unresolved`);
  return parts.join(' · ');
}
