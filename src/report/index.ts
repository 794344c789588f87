/** The layer-choice report: statistics, diagnoses, charts, HTML/Markdown pages, Keras code, history. */
export * from './stats.js';
export * from './diagnose.js';
export * from './charts.js';
export { renderReportHtml, protocolLine, architectureWords } from './html.js';
export { renderReportMarkdown } from './markdown.js';
export { kerasCode, kerasLayer } from './keras.js';
export * from './history.js';
export { HISTORY_RECORD_SCHEMA, historyRecordSchema, readHistory, recordHistoryEntry, type HistoryRecord } from './history-store.js';
export { buildRunReport, writeRunReport, runDate, historyPageKey, type RunReport, type ReportCharts, type WriteRunReportOptions } from './run-report.js';
