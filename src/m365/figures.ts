/**
 * The Microsoft 365 figures of one client's period, from Graph's answers (pure). Stored under `sources.m365`
 * in metrics.json. Usage reports cover the last D7…D180 days up to Microsoft's refresh date, not calendar
 * months: daily active users are read for the days of the period that the D180 report holds, the per-service
 * split and the mailboxes are the last 30 days as Microsoft last refreshed them.
 */
import type { Period } from '../period/period.js';
import { csvNumber } from './csv.js';

export interface SubscribedSku {
  skuId: string;
  skuPartNumber: string;
  appliesTo?: string;
  capabilityStatus?: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended?: number; warning?: number; lockedOut?: number };
}

export interface SecureScore {
  createdDateTime: string;
  currentScore: number;
  maxScore: number;
}

export const M365_SERVICES = ['Exchange', 'OneDrive', 'SharePoint', 'Teams'] as const;

export interface M365Figures {
  tenant: { id: string; name: string };
  licences: Array<{ name: string; sku: string; bought: number; assigned: number; suspended: number }>;
  /** Average daily active users over the days of the period Microsoft's report holds; null when it holds none. */
  activeUsers: { office365: number; services: Array<{ service: string; users: number }>; days: number } | null;
  /** Active and inactive users per service over the 30 days up to `refreshDate`. */
  services30Days: Array<{ service: string; active: number; inactive: number }>;
  /** Mailboxes in aggregate only: reports may conceal names, and the client's report names no one. */
  mailboxes: { count: number; storageBytes: number; nearQuota: number };
  secureScore: { percent: number; current: number; max: number; at: string; previousPercent: number | null } | null;
  /** Average daily Office 365 active users per month Microsoft still holds (up to six), oldest first. */
  activeTrend: Array<{ month: string; label: string; users: number | null }>;
  /** Secure Score at each month's end Microsoft still holds (90 days), oldest first. */
  scoreTrend: Array<{ month: string; label: string; percent: number | null }>;
  /** The day Microsoft's usage reports were last refreshed (usually a day or two ago). */
  refreshDate: string | null;
}

/** Friendly names of the common plans (Microsoft's "Product names and service plan identifiers"); others keep their part number. */
const SKU_NAMES: Record<string, string> = {
  O365_BUSINESS_ESSENTIALS: 'Microsoft 365 Business Basic',
  O365_BUSINESS_PREMIUM: 'Microsoft 365 Business Standard',
  SPB: 'Microsoft 365 Business Premium',
  SPE_E3: 'Microsoft 365 E3',
  SPE_E5: 'Microsoft 365 E5',
  ENTERPRISEPACK: 'Office 365 E3',
  ENTERPRISEPREMIUM: 'Office 365 E5',
  STANDARDPACK: 'Office 365 E1',
  EXCHANGESTANDARD: 'Exchange Online (Plan 1)',
  EXCHANGEENTERPRISE: 'Exchange Online (Plan 2)',
  EMS: 'Enterprise Mobility + Security E3',
  AAD_PREMIUM: 'Microsoft Entra ID P1',
  VISIOCLIENT: 'Visio Plan 2',
  PROJECTPROFESSIONAL: 'Project Plan 3',
  POWER_BI_PRO: 'Power BI Pro',
};

/** Free and self-service plans (huge "enabled" counts) say nothing about what the client bought. */
const FREE_SKUS = new Set(['FLOW_FREE', 'POWER_BI_STANDARD', 'WINDOWS_STORE', 'TEAMS_EXPLORATORY', 'POWERAPPS_VIRAL', 'CCIBOTS_PRIVPREV_VIRAL', 'MICROSOFT_BUSINESS_CENTER', 'STREAM']);

export function licenceRows(skus: readonly SubscribedSku[]): M365Figures['licences'] {
  return skus
    .filter((sku) => sku.appliesTo !== 'Company' && !FREE_SKUS.has(sku.skuPartNumber) && (sku.prepaidUnits.enabled > 0 || (sku.prepaidUnits.suspended ?? 0) > 0))
    .map((sku) => ({ name: SKU_NAMES[sku.skuPartNumber] ?? sku.skuPartNumber, sku: sku.skuPartNumber, bought: sku.prepaidUnits.enabled, assigned: sku.consumedUnits, suspended: sku.prepaidUnits.suspended ?? 0 }))
    .sort((a, b) => b.bought - a.bought || a.name.localeCompare(b.name));
}

const dayOf = (row: Record<string, string>) => row['Report Date'] ?? '';
const average = (values: number[]) => (values.length > 0 ? Math.round(values.reduce((sum, value) => sum + value, 0) / values.length) : 0);

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function localDay(date: Date, timezone: string): string {
  let format = dayFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, format);
  }
  return format.format(date);
}

/** Whether a calendar day ("2026-10-05") is inside [from, to) in the period's zone; the bounds are worked out once. */
function dayInPeriod(period: Pick<Period, 'from' | 'to' | 'timezone'>): (day: string) => boolean {
  const first = localDay(period.from, period.timezone);
  const last = localDay(new Date(period.to.getTime() - 1), period.timezone);
  return (day) => day >= first && day <= last;
}

function dailyActive(rows: ReadonlyArray<Record<string, string>>, period: Pick<Period, 'from' | 'to' | 'timezone'>): M365Figures['activeUsers'] {
  const inPeriod = dayInPeriod(period);
  const days = rows.filter((row) => inPeriod(dayOf(row)));
  if (days.length === 0) return null;
  return {
    office365: average(days.map((row) => csvNumber(row['Office 365']))),
    services: M365_SERVICES.filter((service) => service in days[0]!).map((service) => ({ service, users: average(days.map((row) => csvNumber(row[service]))) })),
    days: days.length,
  };
}

const percentOf = (score: SecureScore) => (score.maxScore > 0 ? Math.round((score.currentScore / score.maxScore) * 1000) / 10 : 0);

/** The newest score taken before `end`. */
function scoreBefore(scores: readonly SecureScore[], end: Date): SecureScore | undefined {
  return [...scores].filter((score) => Date.parse(score.createdDateTime) < end.getTime()).sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime))[0];
}

export interface M365FigureInput {
  tenant: { id: string; name: string };
  skus: readonly SubscribedSku[];
  /** getOffice365ActiveUserCounts(period='D180'): one row a day. */
  activeUserCounts: ReadonlyArray<Record<string, string>>;
  /** getOffice365ServicesUserCounts(period='D30'): one row. */
  servicesUserCounts: ReadonlyArray<Record<string, string>>;
  /** getMailboxUsageDetail(period='D30'): one row a mailbox. */
  mailboxUsage: ReadonlyArray<Record<string, string>>;
  secureScores: readonly SecureScore[];
  period: Period;
  previous: Period;
  months: readonly Period[];
}

export function computeM365Figures(input: M365FigureInput): M365Figures {
  const { period, previous } = input;
  const services = input.servicesUserCounts[0];
  const mailboxes = input.mailboxUsage.filter((row) => (row['Is Deleted'] ?? 'False').toLowerCase() !== 'true');
  const atPeriodEnd = scoreBefore(input.secureScores, period.to);
  const atPreviousEnd = scoreBefore(input.secureScores, previous.to);
  const refresh = [...input.activeUserCounts, ...input.servicesUserCounts, ...input.mailboxUsage].map((row) => row['Report Refresh Date'] ?? '').filter(Boolean).sort().at(-1) ?? null;
  const heldDays = new Set(input.activeUserCounts.map(dayOf));
  return {
    tenant: input.tenant,
    licences: licenceRows(input.skus),
    activeUsers: dailyActive(input.activeUserCounts, period),
    services30Days: services
      ? M365_SERVICES.filter((service) => `${service} Active` in services).map((service) => ({ service, active: csvNumber(services[`${service} Active`]), inactive: csvNumber(services[`${service} Inactive`]) }))
      : [],
    mailboxes: {
      count: mailboxes.length,
      storageBytes: mailboxes.reduce((sum, row) => sum + csvNumber(row['Storage Used (Byte)']), 0),
      nearQuota: mailboxes.filter((row) => csvNumber(row['Issue Warning Quota (Byte)']) > 0 && csvNumber(row['Storage Used (Byte)']) >= csvNumber(row['Issue Warning Quota (Byte)'])).length,
    },
    secureScore: atPeriodEnd
      ? { percent: percentOf(atPeriodEnd), current: atPeriodEnd.currentScore, max: atPeriodEnd.maxScore, at: atPeriodEnd.createdDateTime, previousPercent: atPreviousEnd ? percentOf(atPreviousEnd) : null }
      : null,
    activeTrend: input.months.map((month) => {
      const held = [...heldDays].some(dayInPeriod(month));
      return { month: month.key, label: month.label, users: held ? dailyActive(input.activeUserCounts, month)!.office365 : null };
    }),
    scoreTrend: input.months.map((month) => {
      const score = scoreBefore(input.secureScores, month.to);
      const covers = score && Date.parse(score.createdDateTime) >= month.from.getTime();
      return { month: month.key, label: month.label, percent: covers ? percentOf(score) : null };
    }),
    refreshDate: refresh,
  };
}
