/**
 * A data source's section of the report, already formatted as text: the templates render every source's
 * section the same way, so a new source needs no template of its own. Outside text (site, endpoint and threat
 * names) is raw here; the templates escape it.
 */

export type SectionTone = 'good' | 'bad' | 'neutral';

export interface SectionTile {
  label: string;
  value: string;
  note: string;
  change: { arrow: '▲' | '▼' | ''; text: string; tone: SectionTone } | null;
}

/** A small table: a title, column headings and rows of text. */
export interface SectionTable {
  title: string;
  columns: string[];
  rows: string[][];
  /** Shown when there are no rows. */
  empty: string;
  /** Whether the email shows it too (the web report and the PDF show every table). */
  inEmail: boolean;
}

/** A row of a bar list (a month of the trend, a share): the bar's width is 0–100. */
export interface SectionBarRow {
  label: string;
  value: string;
  width: number;
}

export interface SourceSection {
  /** The source's key: the section's anchor and `data-source` attribute. */
  key: string;
  title: string;
  /** e.g. "Site Acme Corp · SentinelOne". */
  subtitle: string;
  tiles: SectionTile[];
  tables: SectionTable[];
  /** Titled bar lists, e.g. the twelve-month trend. */
  bars: Array<{ title: string; rows: SectionBarRow[] }>;
  notes: string[];
}
