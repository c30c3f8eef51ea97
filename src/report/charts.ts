/**
 * Bar charts as geometry for inline SVG (web report and PDF): static shapes and text, no script. Sized in
 * a small viewBox that the page scales to its column, so the text stays legible on a phone and on paper.
 */

export type ChartTone = 'primary' | 'secondary';

export interface ChartSeries {
  name: string;
  tone: ChartTone;
  /** One value per month; null where there is nothing to show yet. */
  values: Array<number | null>;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Short month labels ("Nov"), and the full ones for tooltips ("November 2025"). */
  months: Array<{ short: string; long: string }>;
  series: ChartSeries[];
  format(value: number): string;
  /** A fixed top of the scale (100 for percentages); otherwise a round number above the largest value. */
  max?: number;
  /** A dashed reference line, such as a monthly allowance; its label goes in the legend, clear of the bars' values. */
  reference?: { value: number; label: string };
  /**
   * What a month without a value in the first series shows at the baseline, by month: "…" (the default) for
   * not collected yet, "–" for nothing to measure, or a figure of its own such as "2/3" for too few answers.
   */
  blanks?: Array<string | null>;
  /** What a screen reader hears and the figure caption says. */
  caption: string;
}

export interface ChartView {
  id: string;
  title: string;
  caption: string;
  width: number;
  height: number;
  baseline: number;
  plotLeft: number;
  plotRight: number;
  gridlines: Array<{ y: number; label: string }>;
  groups: Array<{
    labelX: number;
    label: string;
    bars: Array<{ x: number; y: number; width: number; height: number; tone: ChartTone; title: string }>;
    value: { x: number; y: number; text: string } | null;
    /** Shown at the baseline where a month has no value. */
    blank: string | null;
  }>;
  reference: { y: number } | null;
  legend: Array<{ tone: ChartTone; name: string }>;
  /** The reference line's legend entry, e.g. "allowance 40 h". */
  referenceLabel: string | null;
}

const WIDTH = 360;
const HEIGHT = 190;
const PLOT = { left: 34, right: WIDTH - 6, top: 24, bottom: HEIGHT - 22 };

/** The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (at least 1). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** A month whose figures are still being read from the helpdesk. */
export const NOT_COLLECTED = '…';

const round = (value: number) => Math.round(value * 10) / 10;

export function barChart(spec: ChartSpec): ChartView {
  const values = spec.series.flatMap((series) => series.values).filter((value): value is number => value !== null);
  const top = spec.max ?? niceCeiling(Math.max(0, ...values, spec.reference?.value ?? 0));
  const height = PLOT.bottom - PLOT.top;
  const yOf = (value: number) => round(PLOT.bottom - (Math.min(value, top) / top) * height);
  const slot = (PLOT.right - PLOT.left) / spec.months.length;
  const barWidth = round((slot * 0.72) / spec.series.length);
  return {
    id: spec.id,
    title: spec.title,
    caption: spec.caption,
    width: WIDTH,
    height: HEIGHT,
    baseline: PLOT.bottom,
    plotLeft: PLOT.left,
    plotRight: PLOT.right,
    gridlines: [0, top / 2, top].map((value) => ({ y: yOf(value), label: spec.format(value) })),
    groups: spec.months.map((month, index) => {
      const start = PLOT.left + index * slot + slot * 0.14;
      const bars = spec.series.flatMap((series, seriesIndex) => {
        const value = series.values[index];
        if (value === null || value === undefined) return [];
        const y = yOf(value);
        return [{ x: round(start + seriesIndex * barWidth), y, width: barWidth, height: round(PLOT.bottom - y), tone: series.tone, title: `${month.long}: ${spec.format(value)} ${series.name.toLowerCase()}` }];
      });
      const first = spec.series[0]!.values[index];
      return {
        labelX: round(PLOT.left + (index + 0.5) * slot),
        label: month.short,
        bars,
        value: first === null || first === undefined ? null : { x: round(PLOT.left + (index + 0.5) * slot), y: round(yOf(first) - 4), text: spec.format(first) },
        blank: first === null || first === undefined ? spec.blanks?.[index] ?? NOT_COLLECTED : null,
      };
    }),
    reference: spec.reference ? { y: yOf(spec.reference.value) } : null,
    legend: spec.series.length > 1 || spec.reference ? spec.series.map((series) => ({ tone: series.tone, name: series.name })) : [],
    referenceLabel: spec.reference?.label ?? null,
  };
}
