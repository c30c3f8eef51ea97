import type { DatasetCsatResponse } from '../sources/helpdesk.js';

/**
 * Rating texts seen on Freshservice surveys, as a 0–1 score, for responses without `score`.
 * Five steps so that "Happy"/"Good" still count as positive (≥ 0.75) and "Neutral" does not.
 */
const RATING_TEXT_SCORES: ReadonlyArray<[RegExp, number]> = [
  [/^(extremely|very) (unhappy|dissatisfied)$|^(terrible|awful|very poor|very bad)$/, 0],
  [/^(unhappy|dissatisfied|poor|bad)$/, 0.25],
  [/^(neutral|okay|ok|average|fair)$/, 0.5],
  [/^(happy|good|satisfied)$/, 0.75],
  [/^(awesome|excellent|great|outstanding|extremely happy|very happy|very satisfied|very good)$/, 1],
];

/**
 * A CSAT response as a score between 0 and 1: `score.acquired_score ÷ score.total_score`, else the
 * rating text ("3/4", "3 out of 5", or a word from the table above). `null` when it cannot be read.
 */
export function csatScore(response: DatasetCsatResponse): number | null {
  const { score } = response;
  if (score && Number.isFinite(score.acquired_score) && Number.isFinite(score.total_score) && score.total_score > 0) {
    return clamp(score.acquired_score / score.total_score);
  }
  const text = (response.overall_rating_text ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  const fraction = /^(\d+(?:\.\d+)?) ?(?:\/|out of|of) ?(\d+(?:\.\d+)?)$/.exec(text);
  if (fraction && Number(fraction[2]) > 0) return clamp(Number(fraction[1]) / Number(fraction[2]));
  for (const [pattern, value] of RATING_TEXT_SCORES) {
    if (pattern.test(text)) return value;
  }
  return null;
}

export const POSITIVE_CSAT_SCORE = 0.75;

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}
