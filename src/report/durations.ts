const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration as a person says it: "under 1 min", "45 min", "2 h 15 min", "3.4 days".
 * Two days and more are shown in days with one decimal; `null` gives "–".
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const value = Math.max(0, seconds);
  if (value < MINUTE) return 'under 1 min';
  if (value < HOUR) return `${Math.round(value / MINUTE)} min`;
  if (value < 2 * DAY) {
    const totalMinutes = Math.round(value / MINUTE);
    const hours = Math.floor(totalMinutes / 60);
    const minutes = totalMinutes % 60;
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  return `${formatDecimal(value / DAY, 1)} days`;
}

/** Freshservice's `time_spent` "HH:MM" as minutes, or `null` when it is not in that form. */
export function parseTimeSpent(text: string | null | undefined): number | null {
  const match = /^\s*(\d+):([0-5]\d)\s*$/.exec(text ?? '');
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

const COUNT_FORMAT = new Intl.NumberFormat('en-GB');

/** A whole number with thousands separators: 1,234. */
export function formatCount(value: number): string {
  return COUNT_FORMAT.format(value);
}

/** Hours with at most `decimals` decimals and no trailing zeros: 12.5, 3, 0.25. */
export function formatDecimal(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}
