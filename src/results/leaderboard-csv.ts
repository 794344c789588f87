import type { Leaderboard } from './leaderboard.js';

// ---------------------------------------------------------------------------------------------
// The CSV: the same numbers for spreadsheets.
// ---------------------------------------------------------------------------------------------

export const LEADERBOARD_COLUMNS = [
  'rank',
  'candidateId',
  'depth',
  'width',
  'units',
  'params',
  'metric',
  'unit',
  'metricMean',
  'metricSe',
  'metricStd',
  'ci95Lo',
  'ci95Hi',
  'n',
  'pVsBest',
  'pWorseThanBest',
  'vsBestTest',
  'approxBest',
  'vsBaseline',
  'pVsBaseline',
  'testMean',
  'testCi95Lo',
  'testCi95Hi',
  'recommended',
  'epochs',
  'fitSeconds',
  'samplesPerSecond',
  'backend',
  'costUsd',
  'cpuSeconds',
] as const;

function csvCell(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Full-precision numbers (for scripts); the columns say what each one is. */
export function leaderboardCsv(lb: Leaderboard): string {
  const lines = [LEADERBOARD_COLUMNS.join(',')];
  const unit = lb.metric.unit ?? '';
  for (const r of lb.rows) {
    lines.push(
      [
        r.rank,
        r.candidateId,
        r.depth,
        r.width,
        r.units.join('-'),
        r.params,
        lb.metric.name,
        unit,
        r.metric.mean,
        r.metric.se,
        r.metric.std,
        r.metric.ci95?.[0],
        r.metric.ci95?.[1],
        r.metric.n,
        r.vsBest?.p,
        r.vsBest?.pWorse,
        r.vsBest?.test,
        r.approxBest,
        r.vsBaseline?.verdict,
        r.vsBaseline?.p,
        r.test?.metric,
        r.test?.ci95?.[0],
        r.test?.ci95?.[1],
        lb.recommended?.candidateId === r.candidateId,
        r.epochs,
        r.fitSeconds,
        r.samplesPerSecond,
        r.backend,
        r.cost?.usd,
        r.cost?.cpuSeconds,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  const b = lb.baseline;
  if (b) {
    const cells: Partial<Record<(typeof LEADERBOARD_COLUMNS)[number], string | number | null>> = {
      candidateId: `baseline: ${b.name}`,
      params: 0,
      metric: lb.metric.name,
      unit,
      metricMean: b.metric,
      metricSe: b.se,
      ci95Lo: b.ci95?.[0] ?? null,
      ci95Hi: b.ci95?.[1] ?? null,
      n: b.n,
    };
    lines.push(LEADERBOARD_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
