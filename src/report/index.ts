export { computeMetrics, keyFigures, type KeyFigures, type Metrics, type MetricsOptions } from './metrics.js';
export { formatDuration } from './durations.js';
export { neutraliseMergeTags, neutraliseMergeTagsInText } from './escape.js';
export { formatInstant, parsePeriod, PERIOD_FORMS, PeriodError, periodFromRange, previousPeriod, type Period } from './period.js';
export { byteLength, EMAIL_BYTE_LIMIT, renderReport, type ReportKind } from './render.js';
export { SLA_TARGETS, type SlaMode } from './sla.js';
export { buildReportView, type ReportView, type ReportViewInput } from './view.js';
