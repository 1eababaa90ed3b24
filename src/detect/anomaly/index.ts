export { AnomalyDetector, DEFAULT_ANOMALY_OPTIONS } from './detector.ts';
export type { AnomalyOptions, AnomalyResult, AnomalyState } from './detector.ts';
export { parseSeriesCsv, parseTimestamp, scoreSeries } from './series.ts';
export type { BadRow, ScoredPoint, SeriesPoint } from './series.ts';
export { anomalyOptionsFor, INDICATOR_ANOMALY_OPTIONS } from './settings.ts';
