/**
 * A small, fixed-seed version of benchmarks/coverage.ts: a few simulated sweeps on tables with a known
 * truth, through layerbench's own training, test scoring and analysis, and the 95 % intervals checked
 * against that truth. Deterministic for a given build (seeded data, splits, weights and batches).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { wilson } from '../src/stats/index.js';
import { expectedScore, simulateSweep, sweepIntervals, truthSample, type Expected, type Scenario, type SweepRecord } from '../benchmarks/coverage-sim.js';

const SWEEPS = 8;
const scenarios: Record<'binary' | 'regression', Scenario> = {
  binary: { task: 'binary', rows: 250, strategy: 'kfold', widths: [8], epochs: 30 },
  regression: { task: 'regression', rows: 250, strategy: 'kfold', widths: [8], epochs: 30 },
};

interface Simulated {
  expected: Expected;
  records: SweepRecord[];
}
const simulated = new Map<string, Simulated>();

beforeAll(async () => {
  for (const [name, s] of Object.entries(scenarios)) {
    const truth = truthSample(s.task, 5_000, 17);
    const expected = await expectedScore(s, truth, 16, 900);
    const records: SweepRecord[] = [];
    for (let i = 0; i < SWEEPS; i++) records.push(await simulateSweep(s, 300 + i, truth));
    simulated.set(name, { expected, records });
  }
});

for (const [name, s] of Object.entries(scenarios))
  describe(`the 95 percent intervals of simulated ${name} sweeps (250 rows, 50 test rows, 5-fold)`, () => {
    const metric = s.task === 'binary' ? 'accuracy' : 'rmse';
    const all = () => {
      const { expected, records } = simulated.get(name)!;
      return records.map((r) => ({ record: r, iv: sweepIntervals(r, metric), expected: expected.mean[0]! }));
    };

    it('stay inside the metric’s range, around their own estimate, and are never a single point', () => {
      for (const { iv } of all()) {
        const intervals = [iv.final, ...iv.candidates.flatMap((c) => [c.validation, c.trialModelsTest])].filter((x) => x !== null);
        expect(intervals.length).toBeGreaterThanOrEqual(2);
        for (const i of intervals) {
          expect(i.lo).toBeGreaterThan(0);
          if (metric === 'accuracy') expect(i.hi).toBeLessThanOrEqual(1);
          expect(i.lo).toBeLessThanOrEqual(i.estimate);
          expect(i.hi).toBeGreaterThanOrEqual(i.estimate);
          // 50 test rows or 40 validation rows per fold cannot pin a score to a point (issue 19: "1.000–1.000").
          expect(i.hi - i.lo).toBeGreaterThan(metric === 'accuracy' ? 0.05 : 0.05 * i.estimate);
        }
      }
    });

    // At a true coverage of 95 %, 5 or fewer hits in 8 has probability 0.006; at 50 % it is the likely
    // result. The seed is fixed, so these are deterministic for a given build: they catch intervals that
    // leave out a source of error (issue 19's retraining-only test intervals covered in 5 of 7), not
    // small shifts in coverage, which benchmarks/coverage.ts measures over 200 sweeps per scenario.
    const within = (i: { lo: number; hi: number } | null, t: number) => i !== null && i.lo <= t && t <= i.hi;

    it('the final model’s test interval holds that model’s true score in at least 5 of 8 sweeps', () => {
      const checked = all().filter((x) => x.record.final && x.iv.final);
      expect(checked.length).toBeGreaterThanOrEqual(6);
      const hits = checked.filter(({ record, iv }) => within(iv.final, record.final!.truth)).length;
      expect(hits).toBeGreaterThanOrEqual(checked.length - 3);
    });

    it('the validation and trial-models test intervals hold the candidate’s expected score in at least 5 of 8 sweeps', () => {
      const rows = all();
      expect(rows.filter(({ iv, expected }) => within(iv.candidates[0]!.validation, expected)).length).toBeGreaterThanOrEqual(5);
      expect(rows.filter(({ iv, expected }) => within(iv.candidates[0]!.trialModelsTest, expected)).length).toBeGreaterThanOrEqual(5);
    });

    it('the validation interval is not padded: at most 1.5 times as wide as the 200 validated rows’ own binomial interval', () => {
      if (metric !== 'accuracy') return;
      // 5 folds of 40 rows validate each of the 200 development rows once; Nadeau–Bengio's variance with
      // t(4) made it about twice as wide as those rows' Wilson interval, and covered 100 % (too wide).
      const ratios = all().map(({ iv }) => {
        const v = iv.candidates[0]!.validation!;
        const rows = wilson(v.estimate, 200, 1.959963984540054);
        return (v.hi - v.lo) / (rows.hi - rows.lo);
      });
      expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeLessThan(1.5);
    });
  });
