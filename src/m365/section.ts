/** The report's Microsoft 365 section and the card's headline, from Microsoft 365 figures (pure). */
import type { SectionTile, SourceSection } from '../sources/section.js';
import type { M365Figures } from './figures.js';

const count = (value: number) => value.toLocaleString('en-GB');

/** "12.4 GB", "850 MB": decimal units, as Microsoft's admin centre shows storage. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function licenceTotals(figures: M365Figures): { bought: number; assigned: number } {
  return figures.licences.reduce((sum, row) => ({ bought: sum.bought + row.bought, assigned: sum.assigned + row.assigned }), { bought: 0, assigned: 0 });
}

function scoreChange(score: NonNullable<M365Figures['secureScore']>, previousLabel: string): SectionTile['change'] {
  if (score.previousPercent === null) return null;
  const difference = Math.round((score.percent - score.previousPercent) * 10) / 10;
  if (difference === 0) return { arrow: '', text: `same as ${previousLabel}`, tone: 'neutral' };
  return { arrow: difference > 0 ? '▲' : '▼', text: `${Math.abs(difference)} pts vs ${previousLabel}`, tone: difference > 0 ? 'good' : 'bad' };
}

function trendRows<T>(entries: Array<{ label: string } & T>, value: (entry: T) => number | null, format: (value: number) => string) {
  const peak = Math.max(1, ...entries.map((entry) => value(entry) ?? 0));
  return entries.map((entry) => {
    const figure = value(entry);
    return { label: entry.label, value: figure === null ? '–' : format(figure), width: figure === null ? 0 : Math.round((figure / peak) * 100) };
  });
}

export function m365Section(figures: M365Figures, labels: { period: string; previousPeriod: string }): SourceSection {
  const totals = licenceTotals(figures);
  const score = figures.secureScore;
  const activeTrend = figures.activeTrend.filter((month) => month.users !== null);
  const scoreTrend = figures.scoreTrend.filter((month) => month.percent !== null);
  return {
    key: 'm365',
    title: 'Microsoft 365',
    subtitle: `tenant ${figures.tenant.name}`,
    tiles: [
      { label: 'Licences assigned', value: `${count(totals.assigned)} of ${count(totals.bought)}`, note: totals.bought > totals.assigned ? `${count(totals.bought - totals.assigned)} not assigned` : totals.assigned > totals.bought ? `${count(totals.assigned - totals.bought)} more assigned than bought` : 'all assigned', change: null },
      {
        label: 'Active users',
        value: figures.activeUsers ? count(figures.activeUsers.office365) : '–',
        note: figures.activeUsers ? `a day on average in ${labels.period}` : 'Microsoft\'s reports do not reach this period',
        change: null,
      },
      { label: 'Mailbox storage', value: formatBytes(figures.mailboxes.storageBytes), note: `${count(figures.mailboxes.count)} mailboxes${figures.mailboxes.nearQuota > 0 ? ` · ${count(figures.mailboxes.nearQuota)} near their quota` : ''}`, change: null },
      { label: 'Secure Score', value: score ? `${score.percent} %` : '–', note: score ? `${count(score.current)} of ${count(score.max)} points` : 'not available', change: score ? scoreChange(score, labels.previousPeriod) : null },
    ],
    tables: [
      {
        title: 'Licences',
        columns: ['Licence', 'Bought', 'Assigned'],
        rows: figures.licences.map((row) => [row.suspended > 0 ? `${row.name} (${count(row.suspended)} suspended)` : row.name, count(row.bought), count(row.assigned)]),
        empty: 'No paid licences.',
        inEmail: true,
      },
      {
        title: 'Activity by service, last 30 days',
        columns: ['Service', 'Active users', 'Inactive users'],
        rows: figures.services30Days.map((row) => [row.service, count(row.active), count(row.inactive)]),
        empty: 'Microsoft has no activity report for this tenant yet.',
        inEmail: false,
      },
      {
        title: `Daily active users by service, ${labels.period}`,
        columns: ['Service', 'Users a day'],
        rows: (figures.activeUsers?.services ?? []).map((row) => [row.service, count(row.users)]),
        empty: 'Microsoft\'s reports do not reach this period.',
        inEmail: false,
      },
    ],
    bars: [
      ...(activeTrend.length > 0 ? [{ title: 'Active users a day, by month', rows: trendRows(activeTrend, (month) => month.users, count) }] : []),
      ...(scoreTrend.length > 0 ? [{ title: 'Secure Score at month end', rows: trendRows(scoreTrend, (month) => month.percent, (value) => `${value} %`) }] : []),
    ],
    notes: [
      `Microsoft keeps 180 days of usage and 90 days of Secure Score, so the trends start ${activeTrend[0]?.label ?? 'with the months it still holds'}; usage as refreshed by Microsoft on ${figures.refreshDate ?? 'an unknown day'}.`,
    ],
  };
}

/** One line for the card and the digest row. */
export function m365Headline(figures: M365Figures): string {
  const totals = licenceTotals(figures);
  const parts = [`${count(totals.assigned)} of ${count(totals.bought)} licences assigned`];
  if (figures.activeUsers) parts.push(`${count(figures.activeUsers.office365)} active users a day`);
  if (figures.secureScore) parts.push(`Secure Score ${figures.secureScore.percent} %`);
  return parts.join(' · ');
}
