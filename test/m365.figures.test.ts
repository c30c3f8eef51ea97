import { describe, expect, it } from 'vitest';
import { parsePeriod, previousPeriod, trailingMonths } from '../src/period/period.js';
import { computeM365Figures, formatBytes, m365Headline, m365Section, parseCsv, type SubscribedSku } from '../src/m365/index.js';

const october = parsePeriod('2026-10', { timezone: 'UTC', now: new Date('2026-11-20T12:00:00Z') });
const months = trailingMonths(october, 12);

const sku = (part: string, bought: number, assigned: number, extra: Partial<SubscribedSku> = {}): SubscribedSku => ({ skuId: part, skuPartNumber: part, appliesTo: 'User', consumedUnits: assigned, prepaidUnits: { enabled: bought }, ...extra });

const activeCsv = [
  '\uFEFFReport Refresh Date,Office 365,Exchange,OneDrive,SharePoint,Skype For Business,Yammer,Teams,Report Date,Report Period',
  '2026-11-18,40,39,20,10,,,35,2026-11-01,180',
  '2026-11-18,30,29,15,8,,,25,2026-10-31,180',
  '2026-11-18,10,9,5,2,,,5,2026-10-01,180',
  '2026-11-18,99,99,99,99,,,99,2026-09-30,180',
  '2026-11-18,20,20,10,5,,,15,2026-08-15,180',
].join('\r\n');

const mailboxCsv = [
  'Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Report Period',
  '2026-11-18,a@acme.example,"Smith, Anna",False,,2024-01-01,2026-11-17,100,1500000000,2000000000,2100000000,2200000000,1,1,30',
  '2026-11-18,b@acme.example,"Jones, Ben",False,,2024-01-01,2026-11-17,100,2500000000,2000000000,2100000000,2200000000,1,1,30',
  '2026-11-18,c@acme.example,Gone,True,2026-10-01,2024-01-01,2026-09-17,100,9000000000,2000000000,2100000000,2200000000,1,1,30',
].join('\n');

const servicesCsv = 'Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period\n2026-11-18,45,5,30,20,20,30,40,10,48,2,30\n';

const score = (at: string, current: number) => ({ createdDateTime: at, currentScore: current, maxScore: 200 });

const figures = computeM365Figures({
  tenant: { id: 't-1', name: 'Acme' },
  skus: [sku('O365_BUSINESS_PREMIUM', 50, 48), sku('SPB', 5, 6, { prepaidUnits: { enabled: 5, suspended: 2 } }), sku('FLOW_FREE', 10000, 3), sku('SOMETHING_COMPANY', 1, 1, { appliesTo: 'Company' })],
  activeUserCounts: parseCsv(activeCsv),
  servicesUserCounts: parseCsv(servicesCsv),
  mailboxUsage: parseCsv(mailboxCsv),
  secureScores: [score('2026-11-10T03:00:00Z', 150), score('2026-10-31T03:00:00Z', 130), score('2026-10-15T03:00:00Z', 120), score('2026-09-30T03:00:00Z', 100), score('2026-08-20T03:00:00Z', 90)],
  period: october,
  previous: previousPeriod(october),
  months,
});

describe('Microsoft 365 figures from hand-made Graph answers', () => {
  it('reads CSV by header, with a byte-order mark, quoted commas and missing columns', () => {
    expect(parseCsv(mailboxCsv)[0]).toMatchObject({ 'Display Name': 'Smith, Anna', 'Storage Used (Byte)': '1500000000' });
    expect(Object.keys(parseCsv(activeCsv)[0]!)[0]).toBe('Report Refresh Date');
  });

  it('counts paid licences bought and assigned, leaving out free and company-wide plans', () => {
    expect(figures.licences).toEqual([
      { name: 'Microsoft 365 Business Standard', sku: 'O365_BUSINESS_PREMIUM', bought: 50, assigned: 48, suspended: 0 },
      { name: 'Microsoft 365 Business Premium', sku: 'SPB', bought: 5, assigned: 6, suspended: 2 },
    ]);
  });

  it('averages daily active users over the period\'s days only, and per month for the trend', () => {
    expect(figures.activeUsers).toEqual({ office365: 20, services: [{ service: 'Exchange', users: 19 }, { service: 'OneDrive', users: 10 }, { service: 'SharePoint', users: 5 }, { service: 'Teams', users: 15 }], days: 2 });
    expect(figures.activeTrend.filter((month) => month.users !== null)).toEqual([
      { month: '2026-08', label: 'August 2026', users: 20 },
      { month: '2026-09', label: 'September 2026', users: 99 },
      { month: '2026-10', label: 'October 2026', users: 20 },
    ]);
    expect(figures.refreshDate).toBe('2026-11-18');
  });

  it('sums mailboxes that are not deleted and counts those past their warning quota', () => {
    expect(figures.mailboxes).toEqual({ count: 2, storageBytes: 4_000_000_000, nearQuota: 1 });
    expect(figures.services30Days).toContainEqual({ service: 'Teams', active: 40, inactive: 10 });
  });

  it('takes the Secure Score of the period\'s end and the previous one\'s, and a month-end trend for the 90 days Microsoft keeps', () => {
    expect(figures.secureScore).toEqual({ percent: 65, current: 130, max: 200, at: '2026-10-31T03:00:00Z', previousPercent: 50 });
    expect(figures.scoreTrend.filter((month) => month.percent !== null)).toEqual([
      { month: '2026-08', label: 'August 2026', percent: 45 },
      { month: '2026-09', label: 'September 2026', percent: 50 },
      { month: '2026-10', label: 'October 2026', percent: 65 },
    ]);
  });

  it('words the headline and the section', () => {
    expect(m365Headline(figures)).toBe('54 of 55 licences assigned · 20 active users a day · Secure Score 65 %');
    const section = m365Section(figures, { period: 'October 2026', previousPeriod: 'Sep 2026' });
    expect(section.tiles.map((tile) => [tile.label, tile.value, tile.note, tile.change?.text ?? null])).toEqual([
      ['Licences assigned', '54 of 55', '1 not assigned', null],
      ['Active users', '20', 'a day on average in October 2026', null],
      ['Mailbox storage', '4.0 GB', '2 mailboxes · 1 near their quota', null],
      ['Secure Score', '65 %', '130 of 200 points', '15 pts vs Sep 2026'],
    ]);
    expect(section.tables[0]!.rows).toEqual([['Microsoft 365 Business Standard', '50', '48'], ['Microsoft 365 Business Premium (2 suspended)', '5', '6']]);
    expect(formatBytes(1_234_000_000_000)).toBe('1.2 TB');
  });
});
