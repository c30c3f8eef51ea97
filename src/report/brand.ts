/**
 * The MSP's brand as a report shows it, and the colours derived from its one brand colour so that text and
 * charts stay readable whatever colour was chosen (WCAG 2.1 contrast: 4.5:1 for text, 3:1 for graphics).
 */

export interface ReportBrand {
  name: string;
  /** `#rrggbb`. */
  color: string;
  footer?: string;
  website?: string;
  /** `web`: inline (data: URI) for the web report and the PDF; `email`: a public address, when there is one. */
  logo?: { web: string; email?: string };
}

export interface BrandColors {
  /** The brand colour: the masthead and buttons. */
  accent: string;
  /** Text on the accent: white or near-black, whichever reads better. */
  onAccent: string;
  /** The brand colour darkened until it reads as text on white (≥ 4.5:1): headings, links. */
  text: string;
  /** The brand colour darkened until it shows as a shape on white (≥ 3:1): chart bars and lines. */
  chart: string;
  /** A pale tint of the brand colour for backgrounds behind dark text. */
  tint: string;
}

const WHITE = '#ffffff';
const INK = '#111827';

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((offset) => parseInt(hex.slice(offset, offset + 2), 16)) as [number, number, number];
}

function toHex(values: number[]): string {
  return `#${values.map((value) => Math.round(Math.min(255, Math.max(0, value))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.1 relative luminance of `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const share = value / 255;
    return share <= 0.04045 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.1 contrast ratio between two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** `hex` mixed towards black in small steps until it has `ratio` against white (black itself always has). */
function darkenedUntil(hex: string, ratio: number): string {
  const base = channels(hex);
  for (let step = 0; step <= 20; step += 1) {
    const candidate = toHex(base.map((value) => value * (1 - step / 20)));
    if (contrastRatio(candidate, WHITE) >= ratio) return candidate;
  }
  return '#000000';
}

export function brandColors(color: string): BrandColors {
  const accent = color.toLowerCase();
  return {
    accent,
    onAccent: contrastRatio(accent, WHITE) >= contrastRatio(accent, INK) ? WHITE : INK,
    text: darkenedUntil(accent, 4.5),
    chart: darkenedUntil(accent, 3),
    tint: toHex(channels(accent).map((value) => 255 - (255 - value) * 0.1)),
  };
}
