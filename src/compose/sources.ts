import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PaceOptions } from '../pacing.js';
import type { DataSource } from '../sources/source.js';
import { SENTINELONE_PACE, createSentinelOneSource } from '../sentinelone/index.js';
import { GRAPH_PACE, createM365Source } from '../m365/index.js';

interface SourceContext {
  logger: Logger;
  /** How much faster than its real pace a source may call (the sandbox's simulated services run time-scaled). */
  timeScale: number;
}

const scaled = (pace: PaceOptions, context: SourceContext): PaceOptions => ({ ...pace, perSecond: pace.perSecond * context.timeScale });

/** Every data source beside the helpdesk, one line each: a source whose settings are absent is left out. */
const REGISTERED: Array<(settings: Config['sources'], context: SourceContext) => DataSource | undefined> = [
  (settings, context) => settings.sentinelone && createSentinelOneSource({ ...settings.sentinelone, logger: context.logger, pace: scaled(SENTINELONE_PACE, context) }),
  (settings, context) => settings.m365 && createM365Source({ ...settings.m365, logger: context.logger, pace: scaled(GRAPH_PACE, context) }),
];

export function createSources(settings: Config['sources'], context: SourceContext): DataSource[] {
  return REGISTERED.map((create) => create(settings, context)).filter((source): source is DataSource => source !== undefined);
}
