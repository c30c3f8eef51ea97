export { GraphClient, GRAPH_PACE, GRAPH_URL, LOGIN_URL, type GraphClientOptions, type ReportPeriod, type UsageReport } from './client.js';
export { parseCsv } from './csv.js';
export * from './errors.js';
export { computeM365Figures, licenceRows, type M365Figures, type SecureScore, type SubscribedSku } from './figures.js';
export { formatBytes, m365Headline, m365Section } from './section.js';
export { createM365Source, type M365SourceOptions } from './source.js';
