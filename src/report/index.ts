/** The layer-choice report: statistics, diagnoses, charts, HTML/Markdown pages, Keras code, history. */
export * from './diagnose.js';
export * from './trial-curves.js';
export * from './charts/index.js';
export { renderReportHtml, protocolLine, METHOD_NOTES } from './html.js';
export { answerFor, architectureWords, baselineSentence, certaintySentence, testSentences, TEST_LABEL, type Answer } from './answer.js';
export * from '../format.js';
export { dataFacts, dataBlock, featureDetail, type DataFact } from './data-text.js';
export { readRunExtras, manifestData, type RunExtras } from '../results/run-extras.js';
export { renderReportMarkdown } from './markdown.js';
export { kerasCode, kerasLayer } from './keras.js';
export * from './history.js';
export { HISTORY_RECORD_SCHEMA, historyRecordSchema, readHistory, recordHistoryEntry, type HistoryRecord } from './history-store.js';
export {
  buildRunReport,
  writeRunReport,
  finalModelScriptKey,
  handedOverPreprocessing,
  runDate,
  historyPageKey,
  historyLink,
  modelCardLink,
  type RunReport,
  type ReportFigures,
  type ReportLinks,
  type WriteRunReportOptions,
} from './run-report.js';
export * from './effects.js';
export { chartFigures, effectsFigure, edgeSentence, twoLayouts, type Figure, type Panel } from './figures.js';
