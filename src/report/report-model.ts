/** What a report is made of: everything the HTML and Markdown renderers read, built by run-report.ts. */
import type { CandidateDoc } from '../results/document.js';
import type { DataSummary } from '../results/data-summary.js';
import type { Leaderboard } from '../results/leaderboard.js';
import type { LearningCurveDoc } from '../results/learning-curve.js';
import type { RunAnalysis } from '../results/analysis.js';
import type { SweepSpec } from '../sweep/schema.js';
import type { RunDiagnosis } from './diagnose.js';
import type { Effects } from './effects.js';
import type { Figure } from './figures.js';
import type { HistoryComparison } from './history.js';
import type { ModelsText } from './models-text.js';

/** The report's figures: the what-mattered chart and the Charts section's. */
export interface ReportFigures {
  effects: Figure | null;
  charts: Figure[];
}

/** Where the report links to, relative to runs/<runId>/report.html; null when there is nothing there. */
export interface ReportLinks {
  /** The sweep's history page. */
  history: string | null;
  /** The final model's card (model/README.md). */
  modelCard: string | null;
  /** The leaderboard's CSV and JSON beside the report, every candidate in them; null when the run has none. */
  leaderboard: { csv: string; json: string } | null;
}

export interface RunReport {
  runId: string;
  spec: SweepSpec;
  docs: CandidateDoc[];
  analysis: RunAnalysis;
  diagnosis: RunDiagnosis;
  /** What was done to the data (run.json's `data`); null for runs made before it was recorded. */
  data: DataSummary | null;
  /** Keras code of the recommended candidate; null when there is none. */
  keras: string | null;
  /** What each saved model is: the final model (or why there is none) and the per-candidate models. */
  models: ModelsText;
  /** ISO date of the run: the latest finish time among its candidates. */
  date: string;
  comparison: HistoryComparison | null;
  /** Depth's and width's effects, and the sentence that tells them. */
  effects: Effects;
  figures: ReportFigures;
  links: ReportLinks;
  /**
   * The search and its cost, from the run's leaderboard (Aggregate's): a halving run's rungs, who
   * stopped where and the epochs saved, and the estimated cost per candidate and of the run; null
   * when the leaderboard has neither (older runs, reports built without one).
   */
  search: Pick<Leaderboard, 'search' | 'cost' | 'rows' | 'candidates'> | null;
  /** The learning curve (spec learningCurve: runs/<runId>/learning-curve.json) and its chart; absent without one. */
  learningCurve?: { doc: LearningCurveDoc; figure: Figure | null } | null;
}
