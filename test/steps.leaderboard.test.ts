import { describe, expect, it } from 'vitest';
import { buildLeaderboard, leaderboardCsv, leaderboardMarkdown, LEADERBOARD_COLUMNS } from '../src/steps/leaderboard.js';
import { craftedDoc, craftedFailedDoc, craftedManifest } from './helpers/docs.js';

describe('buildLeaderboard', () => {
  const manifest = craftedManifest('r1');
  const [d1w4, d1w8, d2w4, d2w8] = manifest.candidates as [(typeof manifest.candidates)[number], ...typeof manifest.candidates];

  it('ranks by the mean metric over trials, higher first for accuracy', () => {
    const docs = [
      craftedDoc('r1', d1w4!, [0.7, 0.8], 21), // mean 0.75
      craftedDoc('r1', d1w8!, [0.9, 0.7], 41), // mean 0.80
      craftedDoc('r1', d2w4!, [0.6, 0.6], 41), // mean 0.60
      craftedDoc('r1', d2w8!, [0.85, 0.85], 113), // mean 0.85
    ];
    const lb = buildLeaderboard(manifest, docs, [], '2026-01-02T00:00:00.000Z');
    expect(lb.rows.map((r) => r.candidateId)).toEqual([d2w8!.id, d1w8!.id, d1w4!.id, d2w4!.id]);
    expect(lb.rows.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    expect(lb.metric).toEqual({ name: 'accuracy', higherIsBetter: true });
    const second = lb.rows[1]!;
    expect(second.metric.mean).toBeCloseTo(0.8, 12);
    expect(second.metric.std).toBeCloseTo(Math.sqrt(0.02), 12); // sample std of 0.9, 0.7
    expect(second.metric.n).toBe(2);
    expect(second).toMatchObject({ depth: 1, width: 8, units: [8], params: 41, epochs: 2, fitSeconds: 1, samplesPerSecond: 160, backend: 'cpu' });
    expect(lb.failed).toEqual([]);
  });

  it('ranks lower-is-better metrics ascending', () => {
    const reg = craftedManifest('r2', { dataset: { key: 'datasets/r.csv', task: 'regression', target: 'y' } });
    const [a, b] = reg.candidates;
    const lb = buildLeaderboard(reg, [craftedDoc('r2', a!, [2.5], 21, false), craftedDoc('r2', b!, [1.5], 41, false)]);
    expect(lb.metric).toEqual({ name: 'rmse', higherIsBetter: false });
    expect(lb.rows.map((r) => r.candidateId)).toEqual([b!.id, a!.id]);
    expect(lb.rows[0]!.metric.std).toBeNull(); // one trial: no spread to report
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
  });
});

describe('leaderboard renderings', () => {
  const manifest = craftedManifest('r1');
  const [a, b] = manifest.candidates;
  const lb = buildLeaderboard(manifest, [craftedDoc('r1', a!, [0.75, 0.85], 21), craftedFailedDoc('r1', b!, 'loss, "NaN"')], [], '2026-01-02T00:00:00.000Z');

  it('CSV: a header and one row per ranked candidate', () => {
    const lines = leaderboardCsv(lb).trimEnd().split('\n');
    expect(lines[0]).toBe(LEADERBOARD_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    const cells = lines[1]!.split(',');
    expect(cells.slice(0, 7)).toEqual(['1', a!.id, '1', '4', '4', '21', 'accuracy']);
    expect(Number(cells[7])).toBeCloseTo(0.8, 12);
  });

  it('Markdown: the table, then the failures with their reasons', () => {
    const md = leaderboardMarkdown(lb);
    expect(md).toContain('# Leaderboard: crafted');
    expect(md).toContain(`| 1 | 1 | 4 | 4 | 21 | 0.8 ± 0.07071 | 2 |`);
    expect(md).toContain(`## Failed (3)`);
    expect(md).toContain(`- \`${b!.id}\` (depth 1, width 8): loss, "NaN"`);
  });
});
