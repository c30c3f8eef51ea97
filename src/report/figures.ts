import type { KpiTile } from './model.js';

/** One figure of a report's summary, as the chat card shows it. */
export interface KeyFigure {
  label: string;
  value: string;
  /** e.g. "▲ 12 %" or "▼ 3" versus the previous period; absent when there is no previous data. */
  change?: string;
  /** Whether the change is good news, for colouring. */
  trend?: 'good' | 'bad' | 'neutral';
}

export function figuresFromTiles(tiles: KpiTile[]): KeyFigure[] {
  return tiles.map((tile) => ({
    label: tile.label,
    value: tile.value,
    ...(tile.change ? { change: `${tile.change.arrow} ${tile.change.text}`.trim(), trend: tile.change.tone } : {}),
  }));
}
