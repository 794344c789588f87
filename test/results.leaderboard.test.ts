import { describe, expect, it } from 'vitest';
import { leaderboardTable } from '../src/report/terminal.js';
import { leaderboardMarkdown } from '../src/report/leaderboard-text.js';
import { buildLeaderboard } from '../src/results/leaderboard-build.js';
import { leaderboardCsv, LEADERBOARD_COLUMNS } from '../src/results/leaderboard-csv.js';
import { leaderboardSchema } from '../src/results/leaderboard.js';
import { parseLeaderboard } from '../src/results/leaderboard-read.js';
import { accuracyBlocks, makeBaseline, makeDoc, makeFinal } from './fixtures/report/factory.js';
import { craftedDoc, craftedFailedDoc, craftedManifest } from './helpers/docs.js';

/** Terminal text with its wrapped lines joined again. */
const unwrapped = (text: string) => text.replace(/\n +/g, ' ');

describe('buildLeaderboard', () => {
  const manifest = craftedManifest('r1');
  const [d1w4, d1w8, d2w4, d2w8] = manifest.candidates as [(typeof manifest.candidates)[number], ...typeof manifest.candidates];

  it('ranks by the mean metric over trials, higher first for accuracy, and states mean, se, std and ci95', () => {
    const docs = [
      craftedDoc('r1', d1w4!, [0.7, 0.8], 21), // mean 0.75
      craftedDoc('r1', d1w8!, [0.9, 0.7], 41), // mean 0.80
      craftedDoc('r1', d2w4!, [0.6, 0.6], 41), // mean 0.60
      craftedDoc('r1', d2w8!, [0.85, 0.85], 113), // mean 0.85
    ];
    const lb = buildLeaderboard(manifest, docs, [], '2026-01-02T00:00:00.000Z');
    expect(leaderboardSchema.parse(lb)).toEqual(lb);
    expect(lb.schema).toBe('layerbench.leaderboard.v3');
    expect(lb.rows.map((r) => r.candidateId)).toEqual([d2w8!.id, d1w8!.id, d1w4!.id, d2w4!.id]);
    expect(lb.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(lb.metric).toEqual({ name: 'accuracy', higherIsBetter: true, unit: null });
    const second = lb.rows[1]!;
    // 0.9 and 0.7: s = √0.02 = 0.1414; trials of 80 training and 20 validation rows, so
    // se = s · √(1/2 + 20/80) = 0.1225 (Nadeau–Bengio); the interval is Wilson's, inside 0–1.
    expect(second.metric.mean).toBeCloseTo(0.8, 12);
    expect(second.metric.std).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(second.metric.se).toBeCloseTo(Math.sqrt(0.02 * 0.75), 12);
    expect(second.metric.ci95![0]).toBeGreaterThanOrEqual(0);
    expect(second.metric.ci95![1]).toBeLessThanOrEqual(1);
    expect(second.metric.n).toBe(2);
    // Paired by (repeat, fold) with the best: differences 0.05, −0.15.
    expect(second.vsBest).toMatchObject({ test: 'paired', pairs: 2 });
    expect(second).toMatchObject({ depth: 1, width: 8, units: [8], params: 41, epochs: 2, fitSeconds: 1, samplesPerSecond: 160, backend: 'cpu' });
    expect(lb.best).toEqual({ candidateId: d2w8!.id, test: null });
    // The best's two trials agree (0.85, 0.85): "close" is then within the paired difference's standard
    // error. d1 w8 (0.9, 0.7) is close; d1 w4 (0.7, 0.8) trails by more, though two trials cannot call it
    // worse: undecided — and the answer says how many trials would decide.
    expect(lb.recommended).toMatchObject({ candidateId: d1w8!.id });
    expect(lb.rows.find((r) => r.candidateId === d1w8!.id)!.approxBest).toBe(true);
    expect(lb.answer.outcome).toBe('undecided');
    expect(lb.answer.needed!.candidateId).toBe(d1w4!.id);
    expect(lb.baseline).toBeNull();
    expect(lb.failed).toEqual([]);
  });

  it('ranks lower-is-better metrics ascending, with the unit; one trial has no se and no interval', () => {
    const reg = craftedManifest('r2', { dataset: { key: 'datasets/r.csv', task: 'regression', target: 'y', unit: 'mpg' } });
    const [a, b] = reg.candidates;
    const lb = buildLeaderboard(reg, [craftedDoc('r2', a!, [2.5], 21, false), craftedDoc('r2', b!, [1.5], 41, false)]);
    expect(lb.metric).toEqual({ name: 'rmse', higherIsBetter: false, unit: 'mpg' });
    expect(lb.rows.map((r) => r.candidateId)).toEqual([b!.id, a!.id]);
    expect(lb.rows[0]!.metric).toEqual({ mean: 1.5, se: null, std: null, ci95: null, n: 1 });
    expect(lb.answer.outcome).toBe('single-draw');
    expect(lb.recommended!.candidateId).toBe(b!.id);
    expect(leaderboardTable(lb)).toMatch(/^# +depth +width +params +rmse \(mpg\) ↓ +p worse +epochs +fit s +verdict$/m);
    expect(leaderboardMarkdown(lb)).toContain('| rmse (mpg), mean ± standard error | 95 % CI |');
  });

  it('breaks ties by fewer parameters', () => {
    const lb = buildLeaderboard(manifest, [craftedDoc('r1', d2w8!, [0.8], 113), craftedDoc('r1', d1w4!, [0.8], 21), craftedDoc('r1', d1w8!, [0.8], 41)]);
    expect(lb.rows.map((r) => r.params)).toEqual([21, 41, 113]);
  });

  it('lists failed, missing and non-finite candidates with their reason, and ranks the rest', () => {
    const nan = craftedDoc('r1', d2w4!, [Number.NaN], 41);
    const lb = buildLeaderboard(
      manifest,
      [craftedDoc('r1', d1w4!, [0.7], 21), craftedFailedDoc('r1', d1w8!, 'loss became NaN at epoch 2'), nan],
      [{ candidateId: d2w8!.id, reason: 'States.Timeout: ran longer than 900 s' }],
    );
    expect(lb.rows.map((r) => r.candidateId)).toEqual([d1w4!.id]);
    expect(lb.failed).toEqual([
      { candidateId: d1w8!.id, depth: 1, width: 8, reason: 'loss became NaN at epoch 2' },
      { candidateId: d2w4!.id, depth: 2, width: 4, reason: 'no finite accuracy (values: NaN)' },
      { candidateId: d2w8!.id, depth: 2, width: 8, reason: 'States.Timeout: ran longer than 900 s' },
    ]);
    expect(lb.candidates).toBe(4);
  });

  it('ignores documents of candidates that are not in the run', () => {
    const other = craftedManifest('r9', { model: { family: 'dense', depth: [5], width: [5] } }).candidates[0]!;
    const lb = buildLeaderboard(manifest, [craftedDoc('r1', other, [0.99], 5)]);
    expect(lb.rows).toEqual([]);
    expect(lb.failed.map((f) => f.reason)).toEqual(Array(4).fill('no result document'));
    expect(lb.best).toBeNull();
    expect(lb.recommended).toBeNull();
  });
});

describe('the baseline, the recommendation and the test scores in leaderboard.json', () => {
  // Four candidates of craftedManifest's sweep, as makeDoc documents: 5 folds each, with test scores.
  const manifest = craftedManifest('r1', { evaluation: { strategy: 'kfold', folds: 5 } });
  const params = [21, 41, 113, 200];
  const doc = (i: number, values: number[], tests?: number[]) => {
    const c = manifest.candidates[i]!;
    return { ...makeDoc({ runId: 'r1', depth: c.depth, width: c.width, values, tests, params: params[i] }), candidate: c };
  };
  const docs = [
    doc(0, [0.7, 0.71, 0.69, 0.72, 0.7], [0.68, 0.69, 0.7, 0.69, 0.7]),
    doc(1, [0.8, 0.82, 0.81, 0.83, 0.81], [0.79, 0.8, 0.8, 0.81, 0.8]),
    doc(2, [0.81, 0.83, 0.8, 0.84, 0.82], [0.8, 0.81, 0.79, 0.8, 0.8]),
    doc(3, [0.55, 0.56, 0.54, 0.57, 0.55]),
  ];
  const baseline = makeBaseline({ runId: 'r1', values: [0.6, 0.6, 0.6, 0.6, 0.6], test: { metric: 0.6, rows: 250 } });

  it('carries the baseline, each row’s verdict against it, the recommendation and its test score', () => {
    const lb = buildLeaderboard(manifest, docs, [], '2026-01-02T00:00:00.000Z', { baseline });
    expect(lb.baseline).toEqual({ name: 'majority class', description: 'always "no" (57.4 % of training rows)', metric: 0.6, se: 0, ci95: [0.6, 0.6], n: 5, test: { metric: 0.6, rows: 250 } });
    expect(lb.rows.map((r) => r.vsBaseline!.verdict)).toEqual(['beats', 'beats', 'beats', 'does-not-beat']);
    // Best: d2 w4 (0.82, 113 params); d1 w8 (0.814, 41 params) is not significantly worse and smaller: recommended.
    const best = lb.rows[0]!;
    const rec = lb.recommended!;
    expect(best.candidateId).toBe(manifest.candidates[2]!.id);
    expect(rec.candidateId).toBe(manifest.candidates[1]!.id);
    expect(lb.rows[1]!.approxBest).toBe(true);
    expect(lb.answer.outcome).toBe('recommend');
    expect(lb.answer.rule).toMatch(/^Recommended: the smallest candidate/);
    expect(rec.finalTest).toBeNull();
    expect(rec.test!.metric).toBeCloseTo(0.8, 12);
    expect(rec.test!.n).toBe(5);
    // These documents keep no per-row test results: the score has no interval.
    expect(rec.test!.ci95).toBeNull();
    expect(lb.best!.test!.metric).toBeCloseTo(0.8, 12);
    expect(lb.noRecommendation).toBeNull();
    // Once Finalize has written model/final.json, the final model's test score is there too, with the
    // interval of its score on new rows (Wilson, 250 rows).
    const final = makeFinal({ runId: 'r1', candidateId: rec.candidateId, test: 0.804, rows: 250, blocks: accuracyBlocks(201, 250) });
    const ft = buildLeaderboard(manifest, docs, [], undefined, { baseline, final }).recommended!.finalTest!;
    expect(ft).toMatchObject({ metric: 0.804, n: 1, rows: 250 });
    expect(ft.ci95![0]).toBeGreaterThan(0.73);
    expect(ft.ci95![0]).toBeLessThan(0.77);
    expect(ft.ci95![1]).toBeGreaterThan(0.83);
    expect(ft.ci95![1]).toBeLessThan(0.87);
  });

  it('has no recommendation when no candidate beats the baseline, and says why', () => {
    const strong = makeBaseline({ runId: 'r1', values: [0.9, 0.9, 0.9, 0.9, 0.9] });
    const lb = buildLeaderboard(manifest, docs, [], undefined, { baseline: strong });
    expect(lb.recommended).toBeNull();
    expect(lb.answer.outcome).toBe('baseline');
    expect(lb.answer.headline).toMatch(/^No network beats the baseline: use "majority class"/);
    expect(lb.noRecommendation).toMatch(/^The baseline scores accuracy 0\.900 ± 0 on the same splits/);
    expect(leaderboardTable(lb)).toContain('No network beats the baseline');
  });

  it('with one trial per candidate, a candidate above the baseline is untested, not "no candidate beats it"', () => {
    // Arrange: one holdout trial each, one candidate above the baseline's 0.6 and one below
    const single = craftedManifest('r1');
    const one = (i: number, value: number) => {
      const c = single.candidates[i]!;
      return { ...makeDoc({ runId: 'r1', depth: c.depth, width: c.width, values: [value], folds: 1 }), candidate: c };
    };
    const base = makeBaseline({ runId: 'r1', values: [0.6], folds: 1 });

    // Act
    const above = unwrapped(leaderboardTable(buildLeaderboard(single, [one(0, 0.7)], [], undefined, { baseline: base })));
    const both = unwrapped(leaderboardTable(buildLeaderboard(single, [one(0, 0.7), one(1, 0.5)], [], undefined, { baseline: base })));

    // Assert
    expect(above).toContain('on the same splits; the candidate scores above it on a single trial, too few for a test.');
    expect(both).toContain('on the same splits; no candidate beats it (one-sided paired test, 5 % level); 1 more scores above it on a single trial, too few for a test.');
  });

  it('CSV: full-precision columns, a row per candidate and one for the baseline', () => {
    const lb = buildLeaderboard(manifest, docs, [], '2026-01-02T00:00:00.000Z', { baseline });
    const lines = leaderboardCsv(lb).trimEnd().split('\n');
    expect(lines[0]).toBe(LEADERBOARD_COLUMNS.join(','));
    expect(lines).toHaveLength(6);
    const header = lines[0]!.split(',');
    const cell = (line: string, column: string) => line.split(',')[header.indexOf(column)];
    expect(cell(lines[2]!, 'recommended')).toBe('true');
    expect(Number(cell(lines[2]!, 'metricSe'))).toBeCloseTo(lb.rows[1]!.metric.se!, 12);
    expect(cell(lines[4]!, 'vsBaseline')).toBe('does-not-beat');
    expect(cell(lines[5]!, 'rank')).toBe('');
    expect(cell(lines[5]!, 'candidateId')).toBe('baseline: majority class');
    expect(cell(lines[5]!, 'metricMean')).toBe('0.6');
  });

  it('Markdown and the terminal: ± is the standard error, rounded to it, and the baseline and test scores are shown', () => {
    const lb = buildLeaderboard(manifest, docs, [], '2026-01-02T00:00:00.000Z', { baseline });
    const md = leaderboardMarkdown(lb);
    expect(md).toContain('| accuracy, mean ± standard error | 95 % CI |');
    expect(md).toContain('± is the standard error of the mean over the trials (folds × repeats), Nadeau–Bengio corrected');
    // d2 w4: 0.81, 0.83, 0.80, 0.84, 0.82 → s = 0.0158, s · √(1/5 + 200/800) = 0.0106, but 1,000
    // validation rows cannot give less than the binomial √(0.82 · 0.18 / 1000) = 0.0121.
    expect(md).toContain('| 1 | 2 | 4 | 4-4 | 113 | 0.820 ± 0.012 |');
    expect(md).toContain('at or below baseline');
    expect(md).toContain('| 2 | 1 | 8 | 8 | 41 | 0.814 ± 0.012 | 0.789 – 0.837 | 5 | 0.187 | recommended |');
    expect(md).toContain('|  |  |  | baseline: majority class | 0 | 0.600 ± 0 | 0.600 – 0.600 | 5 |');
    expect(md).toContain('- test — never used for choosing (accuracy): recommended 0.800 (5 trial models, 250 rows, no interval)');
    const table = leaderboardTable(lb);
    expect(table).toMatch(/^# +depth +width +params +accuracy ↑ +p worse +epochs +fit s +verdict$/m);
    expect(table).toMatch(/^2 +1 +8 +41 +0\.814 ± 0\.012 +0\.187 +12\.0 +7\.5 +recommended$/m);
    expect(table).toMatch(/^4 +2 +8 +200 +0\.554 ± 0\.016 +< 0\.001 +12\.0 +7\.5 +at or below baseline$/m);
    expect(unwrapped(table)).toContain(
      'baseline "majority class" — always "no" (57.4 % of training rows) — accuracy 0.600 ± 0 on the same splits; 3 of 4 candidates beat it (one-sided paired test, 5 % level).',
    );
    expect(unwrapped(table)).toMatch(/^recommended: depth 1, width 8 \(8 units, \d+ parameters\) dense d1 w8 \(\d+ params, accuracy 0\.814 ± 0\.012\) is the smallest candidate as good as the best/m);
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('says, with one trial per candidate, that there is no interval', () => {
    const single = buildLeaderboard(
      manifest,
      docs.map((d) => ({ ...d, metric: { ...d.metric, values: d.metric.values.slice(0, 1) }, trials: d.trials.slice(0, 1) })),
    );
    const table = leaderboardTable(single);
    expect(single.answer.outcome).toBe('single-draw');
    expect(unwrapped(table)).toContain('with one trial there is no standard error and no test');
    expect(table).not.toMatch(/\d ± \d/);
  });
});

describe('reading leaderboard.json back', () => {
  it('reads a v1 document as v3: se and ci95 from std and n, the newer fields empty', () => {
    const v1 = {
      schema: 'layerbench.leaderboard.v1',
      runId: 'old',
      sweep: 'crafted',
      dataset: { key: 'datasets/x.csv', version: 'v1' },
      metric: { name: 'accuracy', higherIsBetter: true },
      candidates: 2,
      rows: [
        { rank: 1, candidateId: 'a', depth: 1, width: 4, units: [4], params: 21, metric: { mean: 0.8, std: Math.sqrt(0.02), n: 2 }, epochs: 2, fitSeconds: 1, samplesPerSecond: 160, backend: 'cpu' },
        { rank: 2, candidateId: 'b', depth: 1, width: 8, units: [8], params: 41, metric: { mean: 0.7, std: null, n: 1 }, epochs: 2, fitSeconds: 1, samplesPerSecond: null, backend: 'cpu' },
      ],
      failed: [],
      generatedAt: '2026-01-02T00:00:00.000Z',
    };
    const lb = parseLeaderboard(v1);
    expect(lb.schema).toBe('layerbench.leaderboard.v3');
    expect(lb.rows[0]!.metric.se).toBeCloseTo(0.1, 12);
    expect(lb.rows[0]!.metric.ci95![0]).toBeCloseTo(0.8 - 1.27062047, 6);
    expect(lb.rows[1]!.metric).toEqual({ mean: 0.7, se: null, std: null, ci95: null, n: 1 });
    expect(lb).toMatchObject({ baseline: null, recommended: null, noRecommendation: null, best: { candidateId: 'a', test: null }, metric: { unit: null } });
    expect(leaderboardTable(lb)).toMatch(/^1 +1 +4 +21 +0\.80 ± 0\.10 +2\.0 +1\.0 +best$/m);
  });

  it('names the file and the field when a document is neither', () => {
    expect(() => parseLeaderboard({ schema: 'layerbench.leaderboard.v3', runId: 1 }, 'runs/x/leaderboard.json')).toThrow(
      /^runs\/x\/leaderboard\.json: not a layerbench\.leaderboard\.v3 \(or v2, v1\) document \(runId: /,
    );
  });

  it('reads a v2 document as v3: what its one-standard-error recommendation said, the newer fields empty', () => {
    const manifest = craftedManifest('r1');
    const lb = buildLeaderboard(manifest, [craftedDoc('r1', manifest.candidates[0]!, [0.7, 0.8], 21)]);
    const { answer: _a, ...rest } = lb;
    const v2 = {
      ...rest,
      schema: 'layerbench.leaderboard.v2',
      rows: lb.rows.map(({ test: _t, ...r }) => ({ ...r, vsBest: null, withinOneSe: true, vsBaseline: null })),
      recommended: { candidateId: lb.rows[0]!.candidateId, rule: 'one-standard-error', reason: 'as it was', test: null, finalTest: { metric: 0.7, rows: 20 } },
    };
    const back = parseLeaderboard(v2);
    expect(back.schema).toBe('layerbench.leaderboard.v3');
    expect(back.answer).toMatchObject({ outcome: 'recommend', reason: 'as it was', next: [] });
    expect(back.recommended!.finalTest).toEqual({ metric: 0.7, se: null, ci95: null, n: 1, rows: 20 });
  });
});
