/**
 * The leaderboard of a run, built from its candidate documents: a pure function, plus its CSV and
 * Markdown renderings. Ranked by the sweep's metric (mean over folds and repeats, direction from the
 * metric), ties broken by fewer parameters, then by candidate id so the order is total.
 */
import type { RunManifest } from './manifest.js';
import type { CandidateDoc } from '../results/document.js';
import { higherIsBetter, rankingMetric, type MetricName } from '../spec/schema.js';

export const LEADERBOARD_SCHEMA = 'layerbench.leaderboard.v1' as const;

export interface LeaderboardRow {
  rank: number;
  candidateId: string;
  depth: number;
  width: number;
  units: number[];
  params: number | null;
  /** The ranking metric on validation data: mean and sample std over folds × repeats, n trials. */
  metric: { mean: number; std: number | null; n: number };
  /** Mean epochs trained per trial. */
  epochs: number;
  /** Time inside training, all trials. */
  fitSeconds: number;
  samplesPerSecond: number | null;
  backend: string;
}

export interface FailedRow {
  candidateId: string;
  depth: number;
  width: number;
  reason: string;
}

export interface Leaderboard {
  schema: typeof LEADERBOARD_SCHEMA;
  runId: string;
  sweep: string;
  dataset: { key: string; version: string };
  metric: { name: MetricName; higherIsBetter: boolean };
  candidates: number;
  rows: LeaderboardRow[];
  failed: FailedRow[];
  generatedAt: string;
}

/** A candidate with no document, and why (what the Map's Catch reported, or that nothing was). */
export interface MissingResult {
  candidateId: string;
  reason: string;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function sampleStd(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function buildLeaderboard(
  manifest: Pick<RunManifest, 'runId' | 'sweep' | 'dataset' | 'candidates'>,
  docs: CandidateDoc[],
  missing: MissingResult[] = [],
  generatedAt: string = new Date().toISOString(),
): Leaderboard {
  const name = rankingMetric(manifest.sweep);
  const higher = higherIsBetter(name);
  const byId = new Map(docs.map((d) => [d.candidate.id, d]));
  const rows: Omit<LeaderboardRow, 'rank'>[] = [];
  const failed: FailedRow[] = [];
  for (const c of manifest.candidates) {
    const doc = byId.get(c.id);
    const fail = (reason: string) => failed.push({ candidateId: c.id, depth: c.depth, width: c.width, reason });
    if (!doc) {
      fail(missing.find((m) => m.candidateId === c.id)?.reason ?? 'no result document');
      continue;
    }
    if (doc.status === 'failed') {
      fail(doc.error?.message ?? 'failed without a reason');
      continue;
    }
    const values = doc.metric.values.length > 0 ? doc.metric.values : doc.metric.mean === null ? [] : [doc.metric.mean];
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
      fail(`no finite ${name} (values: ${values.join(', ') || 'none'})`);
      continue;
    }
    rows.push({
      candidateId: c.id,
      depth: c.depth,
      width: c.width,
      units: [...c.units],
      params: doc.parameterCount,
      metric: { mean: mean(values), std: sampleStd(values), n: values.length },
      epochs: doc.trials.length > 0 ? mean(doc.trials.map((t) => t.epochs.length)) : 0,
      fitSeconds: doc.timing.fitSeconds,
      samplesPerSecond: doc.timing.samplesPerSecond,
      backend: doc.backend,
    });
  }
  rows.sort(
    (a, b) =>
      (higher ? b.metric.mean - a.metric.mean : a.metric.mean - b.metric.mean) ||
      (a.params ?? Infinity) - (b.params ?? Infinity) ||
      (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0),
  );
  return {
    schema: LEADERBOARD_SCHEMA,
    runId: manifest.runId,
    sweep: manifest.sweep.name,
    dataset: { ...manifest.dataset },
    metric: { name, higherIsBetter: higher },
    candidates: manifest.candidates.length,
    rows: rows.map((r, i) => ({ rank: i + 1, ...r })),
    failed,
    generatedAt,
  };
}

const num = (x: number | null, digits: number) => (x === null ? '' : Number(x.toFixed(digits)).toString());

/** Significant digits that keep small metric differences visible. */
export function formatMetric(x: number | null): string {
  if (x === null) return '';
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}

export const LEADERBOARD_COLUMNS = [
  'rank',
  'candidateId',
  'depth',
  'width',
  'units',
  'params',
  'metric',
  'metricMean',
  'metricStd',
  'n',
  'epochs',
  'fitSeconds',
  'samplesPerSecond',
  'backend',
] as const;

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function leaderboardCsv(lb: Leaderboard): string {
  const lines = [LEADERBOARD_COLUMNS.join(',')];
  for (const r of lb.rows) {
    lines.push(
      [
        r.rank,
        r.candidateId,
        r.depth,
        r.width,
        r.units.join('-'),
        r.params ?? '',
        lb.metric.name,
        r.metric.mean,
        r.metric.std ?? '',
        r.metric.n,
        r.epochs,
        r.fitSeconds,
        r.samplesPerSecond ?? '',
        r.backend,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const mdCell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function leaderboardMarkdown(lb: Leaderboard): string {
  const dir = lb.metric.higherIsBetter ? 'higher is better' : 'lower is better';
  const out = [
    `# Leaderboard: ${lb.sweep}`,
    '',
    `Run \`${lb.runId}\` · dataset \`${lb.dataset.key}\` (version ${lb.dataset.version}) · ${lb.rows.length} of ${lb.candidates} candidates ranked by validation ${lb.metric.name} (${dir}; mean ± std over folds × repeats).`,
    '',
    `| rank | depth | width | units | params | ${lb.metric.name} | n | epochs | fit s | samples/s | backend | candidate |`,
    '|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of lb.rows) {
    const metric = `${formatMetric(r.metric.mean)}${r.metric.std === null ? '' : ` ± ${formatMetric(r.metric.std)}`}`;
    out.push(
      `| ${r.rank} | ${r.depth} | ${r.width} | ${r.units.join('-')} | ${r.params ?? ''} | ${metric} | ${r.metric.n} | ${num(r.epochs, 1)} | ${num(r.fitSeconds, 1)} | ${num(r.samplesPerSecond, 0)} | ${r.backend} | \`${r.candidateId}\` |`,
    );
  }
  if (lb.failed.length > 0) {
    out.push('', `## Failed (${lb.failed.length})`, '');
    for (const f of lb.failed) out.push(`- \`${f.candidateId}\` (depth ${f.depth}, width ${f.width}): ${mdCell(f.reason)}`);
  }
  return `${out.join('\n')}\n`;
}
