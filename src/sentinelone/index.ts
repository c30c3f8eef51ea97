export { SentinelOneClient, SENTINELONE_PACE, SENTINELONE_PAGE_LIMIT, sentinelOneApiBase, type SentinelOneClientOptions } from './client.js';
export * from './errors.js';
export { computeSentinelOneFigures, threatWindow, type SentinelOneFigures } from './figures.js';
export { sentinelOneHeadline, sentinelOneSection } from './section.js';
export { createSentinelOneSource, type SentinelOneSourceOptions } from './source.js';
export type { SentinelOneAgent, SentinelOneSite, SentinelOneThreat } from './types.js';
