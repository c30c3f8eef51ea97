/**
 * How few is too few for a percentage. Below SMALL_SAMPLE survey answers (or tickets judged against a
 * deadline) a share is shown as a count ("1 of 1 positive", "3 of 4 met") and never compared in points with
 * another period: one unhappy answer out of two is not a 50-point drop anyone should act on. Every place
 * that shows satisfaction or SLA kept (the report's tiles and summary, the chat card, the digest) goes through here.
 */
import { formatCount, formatDecimal } from './durations.js';

export const SMALL_SAMPLE = 5;

/** `part` of `whole` (positive answers of all answers, deadlines met of all judged), as a percentage when there are any. */
export interface Share {
  part: number;
  whole: number;
  percent: number | null;
}

export interface SurveyTally {
  responses: number;
  positive: number;
  percentPositive: number | null;
}

/** Whether a share over `count` answers may be shown as a percentage and compared in points. */
export function isLargeSample(count: number): boolean {
  return count >= SMALL_SAMPLE;
}

/** `92.3%` from SMALL_SAMPLE on, `3 of 4 <word>` below it, `–` with nothing to count. */
export function shareText(share: Share, word: string): string {
  if (share.whole === 0 || share.percent === null) return '–';
  if (!isLargeSample(share.whole)) return `${formatCount(share.part)} of ${formatCount(share.whole)} ${word}`;
  return `${formatDecimal(share.percent, 1)}%`;
}

/** The two percentages to compare in points, or null when either period counted too few to compare. */
export function comparableShares(current: Share, previous: Share | null | undefined): [number, number] | null {
  if (!previous || !isLargeSample(current.whole) || !isLargeSample(previous.whole)) return null;
  if (current.percent === null || previous.percent === null) return null;
  return [current.percent, previous.percent];
}

export function surveyShare(csat: SurveyTally): Share {
  return { part: csat.positive, whole: csat.responses, percent: csat.percentPositive };
}

export function slaShare(tally: { met: number; missed: number; percent: number | null }): Share {
  return { part: tally.met, whole: tally.met + tally.missed, percent: tally.percent };
}

/** The satisfaction figure as a tile and the chat card show it: `92.3%` with its answer count, `1 of 1 positive` below the threshold. */
export function satisfactionFigure(csat: SurveyTally): { value: string; note: string } {
  if (csat.responses === 0) return { value: '–', note: 'no survey responses' };
  if (!isLargeSample(csat.responses)) return { value: shareText(surveyShare(csat), 'positive'), note: 'too few answers to compare' };
  return { value: shareText(surveyShare(csat), 'positive'), note: `positive · ${formatCount(csat.responses)} responses` };
}

/** The points change of satisfaction, or null when either period had too few answers to compare. */
export function comparableSatisfaction(current: SurveyTally, previous: SurveyTally | null | undefined): [number, number] | null {
  return comparableShares(surveyShare(current), previous ? surveyShare(previous) : null);
}
