/** Billable hours against the client's monthly allowance (a block of hours in the contract), with any overage. */
import { formatDecimal } from './durations.js';

export interface AllowanceModel {
  /** e.g. "40 h" (the monthly allowance times the months the period covers). */
  allowed: string;
  /** Billable hours worked, e.g. "46.5 h". */
  used: string;
  /** Hours beyond the allowance, e.g. "6.5 h"; null when within it. */
  over: string | null;
  /** Hours of the allowance not used, e.g. "3.5 h"; null when over. */
  left: string | null;
  /** Used as a share of the allowance, 0–100 for the bar (capped). */
  usedWidth: number;
  monthlyHours: number;
}

const hours = (value: number) => `${formatDecimal(value, 1)} h`;

/** `months`: how many months the period covers (see monthsIn); billable hours count, as the client is billed for them. */
export function allowanceModel(monthlyHours: number, months: number, billableHours: number): AllowanceModel {
  const allowed = Math.round(monthlyHours * months * 10) / 10;
  const difference = Math.round((billableHours - allowed) * 10) / 10;
  return {
    allowed: hours(allowed),
    used: hours(billableHours),
    over: difference > 0 ? hours(difference) : null,
    left: difference > 0 ? null : hours(-difference),
    usedWidth: allowed === 0 ? 100 : Math.min(100, Math.round((billableHours / allowed) * 100)),
    monthlyHours,
  };
}
