/**
 * How few answers are too few for a percentage. Below SMALL_SAMPLE answers a share is shown as a count
 * ("1 of 1 positive") and never compared in points with another period: one unhappy answer out of two is
 * not a 50-point drop anyone should act on. Every place that shows satisfaction goes through here.
 */
import { formatCount, formatDecimal } from './durations.js';

export const SMALL_SAMPLE = 5;

export interface SurveyTally {
  responses: number;
  positive: number;
  percentPositive: number | null;
}

/** Whether a share over `count` answers may be shown as a percentage and compared in points. */
export function isLargeSample(count: number): boolean {
  return count >= SMALL_SAMPLE;
}

/** The satisfaction figure as a tile shows it: `92.3%` with its answer count, `1 of 1` below the threshold, `–` without answers. */
export function satisfactionFigure(csat: SurveyTally): { value: string; note: string } {
  if (csat.responses === 0) return { value: '–', note: 'no survey responses' };
  if (!isLargeSample(csat.responses)) return { value: `${formatCount(csat.positive)} of ${formatCount(csat.responses)}`, note: 'positive' };
  return { value: `${formatDecimal(csat.percentPositive ?? 0, 1)}%`, note: `positive · ${formatCount(csat.responses)} responses` };
}

/** The points change of satisfaction, or null when either period had too few answers to compare. */
export function comparableSatisfaction(current: SurveyTally, previous: SurveyTally | null | undefined): [number, number] | null {
  if (!previous || !isLargeSample(current.responses) || !isLargeSample(previous.responses)) return null;
  if (current.percentPositive === null || previous.percentPositive === null) return null;
  return [current.percentPositive, previous.percentPositive];
}
