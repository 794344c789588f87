import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../src/results/document.js';
import { diagnoseRun } from '../src/report/diagnose.js';
import { meanCurve, ranToCap, trialOverfits, trialStillImproving, valLossRising } from '../src/report/trial-curves.js';
import { analyzeRun } from '../src/results/analysis.js';
import { makeBaseline, makeDoc, makeSpec } from './fixtures/report/factory.js';

/** Epoch records from columns: loss, valLoss, metric, valMetric per epoch. */
function epochs(loss: number[], valLoss: number[], metric: number[], valMetric: number[]): EpochRecord[] {
  return loss.map((l, i) => ({ epoch: i + 1, loss: l, valLoss: valLoss[i]!, metric: metric[i]!, valMetric: valMetric[i]! }));
}

/** A curve still improving at its last epoch: loss and validation loss falling, accuracy rising `per` per epoch. */
function rising(n: number, start: number, per: number): { epochs: EpochRecord[]; bestEpoch: number; stoppedEarly: boolean } {
  const e = Array.from({ length: n }, (_, i) => i);
  return {
    epochs: epochs(
      e.map((i) => 1 - 0.05 * i),
      e.map((i) => 1.05 - 0.05 * i),
      e.map((i) => start + 0.02 + per * i),
      e.map((i) => start + per * i),
    ),
    bestEpoch: n,
    stoppedEarly: false,
  };
}

/** A curve that converged and stopped early: flat after epoch 4, stopped at 7 of a larger cap. */
function settled(val: number, train: number): { epochs: EpochRecord[]; bestEpoch: number; stoppedEarly: boolean } {
  const v = [0.6, 0.45, 0.4, 0.38, 0.381, 0.382, 0.383];
  return {
    epochs: epochs(
      v.map((x) => x - 0.02),
      v,
      v.map((_, i) => (i < 3 ? train - 0.05 * (3 - i) : train)),
      v.map((_, i) => (i < 3 ? val - 0.05 * (3 - i) : val)),
    ),
    bestEpoch: 4,
    stoppedEarly: true,
  };
}

describe('trial-level tests', () => {
  it('overfitting: validation loss rises after its lowest point, the gap grows and the validation metric worsens', () => {
    // Centred 3-epoch means of the validation loss: 0.517, 0.45, 0.45, 0.5 — lowest around epoch 3 (0.45,
    // gap 0.45 − 0.35 = 0.10); the last three epochs average 0.50 (+11 %), with a gap of 0.50 − 0.167 = 0.333.
    const e = epochs([0.6, 0.45, 0.35, 0.25, 0.15, 0.1], [0.65, 0.5, 0.4, 0.45, 0.5, 0.55], [0.7, 0.8, 0.85, 0.9, 0.93, 0.95], [0.7, 0.78, 0.82, 0.81, 0.8, 0.79]);
    const ev = trialOverfits({ epochs: e }, true)!;
    expect(ev.bestEpoch).toBe(3);
    expect(ev.valLossAtBest).toBeCloseTo(0.45, 12);
    expect(ev.valLossAtLast).toBeCloseTo(0.5, 12);
    expect(ev.gapAtBest).toBeCloseTo(0.1, 12);
    expect(ev.gapAtLast).toBeCloseTo(0.5 - 0.5 / 3, 12);
    expect(ev.valMetricAtBest).toBeCloseTo(0.80333333, 6);
    expect(ev.valMetricAtLast).toBeCloseTo(0.8, 12);
    expect(ev.trainMetricAtBest).toBeCloseTo(0.85, 12);
    expect(ev.trainMetricAtLast).toBeCloseTo(0.92666667, 6);
  });

  it('no overfitting from a noisy plateau that dipped once before early stopping (co2, lstm d1 w32)', () => {
    // A real trial's validation loss: it fluctuates 0.14–0.17 for ten epochs, dips to 0.1405 at epoch 17
    // and is stopped five epochs later. The raw minimum to the last epoch is +11 %; the curve never rose.
    const val = [0.1486, 0.1634, 0.159, 0.161, 0.149, 0.1479, 0.1701, 0.1427, 0.1546, 0.1405, 0.1714, 0.1501, 0.1436, 0.1595, 0.1561];
    const loss = [0.1512, 0.1431, 0.1383, 0.137, 0.1369, 0.1335, 0.1261, 0.1262, 0.123, 0.1193, 0.1203, 0.117, 0.1168, 0.1109, 0.1085];
    const vm = [0.439, 0.46, 0.454, 0.457, 0.439, 0.438, 0.469, 0.43, 0.447, 0.426, 0.471, 0.441, 0.431, 0.454, 0.45];
    const m = [0.442, 0.43, 0.423, 0.421, 0.421, 0.416, 0.404, 0.404, 0.399, 0.393, 0.395, 0.389, 0.389, 0.379, 0.375];
    expect(trialOverfits({ epochs: epochs(loss, val, m, vm) }, false)).toBeNull();
  });

  it('no overfitting without a real rise: "validation loss 0.007 → 0.007" is not one', () => {
    // The case: training loss keeps falling, so the gap grows, but validation loss only creeps
    // 0.00700 → 0.00705 (+0.7 %) and the validation rmse barely moves.
    const e = epochs([0.02, 0.01, 0.006, 0.004, 0.003], [0.009, 0.0072, 0.007, 0.00703, 0.00705], [2, 1.5, 1.3, 1.2, 1.15], [2.1, 1.62, 1.6, 1.601, 1.602]);
    expect(trialOverfits({ epochs: e }, false)).toBeNull();
  });

  it('no overfitting from bumps after the lowest point that are no trend (co2, lstm d2 w32)', () => {
    // A real trial: validation loss 0.080, 0.075, 0.097, 0.123, 0.092, 0.070 before its low of 0.064,
    // then 0.088, 0.078, 0.115, 0.126, 0.083 until early stopping. The last three average +46 % over the
    // low, but the epochs after it have no rising trend (slope p > 0.05): the same scatter as before.
    const val = [0.0802, 0.0747, 0.0971, 0.123, 0.0917, 0.0702, 0.0643, 0.0878, 0.0778, 0.1154, 0.1264, 0.0833];
    const loss = [0.1051, 0.1041, 0.0978, 0.0899, 0.0992, 0.0855, 0.0823, 0.0766, 0.0753, 0.074, 0.074, 0.0868];
    const vm = [0.333, 0.321, 0.366, 0.412, 0.356, 0.311, 0.298, 0.348, 0.328, 0.399, 0.418, 0.339];
    const m = [0.381, 0.379, 0.368, 0.352, 0.37, 0.344, 0.337, 0.325, 0.323, 0.32, 0.32, 0.346];
    const e = epochs(loss, val, m, vm);
    expect(valLossRising(e, 7)).toBe(false);
    expect(trialOverfits({ epochs: e }, false)).toBeNull();
    // The same shape with a steady climb after the low is one.
    const climbing = epochs(loss, [...val.slice(0, 7), 0.072, 0.08, 0.088, 0.096, 0.104], m, [...vm.slice(0, 7), 0.31, 0.32, 0.33, 0.34, 0.35]);
    expect(valLossRising(climbing, 7)).toBe(true);
    expect(trialOverfits({ epochs: climbing }, false)).not.toBeNull();
  });

  it('no overfitting when the gap stays flat, fewer than two epochs follow the best, or the metric did not worsen', () => {
    const flat = epochs([0.5, 0.4, 0.35, 0.34, 0.34], [0.55, 0.45, 0.4, 0.41, 0.41], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]);
    expect(trialOverfits({ epochs: flat }, true)).toBeNull();
    const short = epochs([0.5, 0.3, 0.1], [0.5, 0.4, 0.6], [0, 0, 0], [0, 0, 0]);
    expect(trialOverfits({ epochs: short }, true)).toBeNull();
    // Validation loss rose, but accuracy kept improving: an overconfident network, not a worse one.
    const sharper = epochs([0.6, 0.45, 0.35, 0.25, 0.15, 0.1], [0.65, 0.5, 0.4, 0.45, 0.5, 0.55], [0.7, 0.8, 0.85, 0.9, 0.93, 0.95], [0.7, 0.78, 0.82, 0.83, 0.83, 0.84]);
    expect(trialOverfits({ epochs: sharper }, true)).toBeNull();
  });

  it('still improving: ran to the cap, lowest validation loss at the end, validation metric up > 0.5 % window to window', () => {
    const e = epochs([0.7, 0.6, 0.5, 0.45, 0.4], [0.72, 0.62, 0.52, 0.47, 0.42], [0.6, 0.65, 0.7, 0.73, 0.76], [0.6, 0.64, 0.68, 0.71, 0.74]);
    const ev = trialStillImproving({ epochs: e, stoppedEarly: false }, true, 5)!;
    // Five epochs: two-epoch windows. Epochs 2–3 average 0.66, epochs 4–5 0.725.
    expect(ev.window).toBe(2);
    expect(ev.from).toBeCloseTo(0.66, 12);
    expect(ev.to).toBeCloseTo(0.725, 12);
    expect(ev.relativeGain).toBeCloseTo(0.065 / 0.66, 12);
    expect(ranToCap({ epochs: e, stoppedEarly: false }, 5)).toBe(true);
    // Stopped early, or short of the cap: not at the cap.
    expect(trialStillImproving({ epochs: e, stoppedEarly: true }, true, 5)).toBeNull();
    expect(trialStillImproving({ epochs: e, stoppedEarly: false }, true, 30)).toBeNull();
    // Lower is better (rmse): a rising validation rmse is not improvement.
    expect(trialStillImproving({ epochs: e, stoppedEarly: false }, false, 5)).toBeNull();
  });

  it('a plateau (gain ≤ 0.5 %) is not still improving', () => {
    const e = epochs([0.4, 0.4, 0.4, 0.4], [0.4, 0.4, 0.4, 0.4], [0.8, 0.8, 0.8, 0.8], [0.8, 0.801, 0.802, 0.803]);
    expect(trialStillImproving({ epochs: e, stoppedEarly: false }, true, 4)).toBeNull();
  });

  it('averages curves epoch by epoch over the trials that reached each epoch', () => {
    const a = epochs([1, 0.5], [1, 0.6], [0.5, 0.7], [0.5, 0.6]);
    const b = epochs([0.8], [0.9], [0.6], [0.55]);
    const m = meanCurve([{ epochs: a }, { epochs: b }]);
    expect(m).toEqual([
      { epoch: 1, loss: 0.9, metric: 0.55, valLoss: 0.95, valMetric: 0.525 },
      { epoch: 2, loss: 0.5, metric: 0.7, valLoss: 0.6, valMetric: 0.6 },
    ]);
  });
});

describe('candidate diagnoses in a run', () => {
  const spec = makeSpec({ training: { epochs: 12 } });
  const best = makeDoc({ depth: 2, width: 64, values: [0.84, 0.85, 0.86], trainValues: [0.93, 0.94, 0.95] });
  const under = makeDoc({ depth: 1, width: 4, values: [0.79, 0.805, 0.8], trainValues: [0.8, 0.81, 0.82], shape: 'underfitting' });
  const over = makeDoc({ depth: 3, width: 256, values: [0.83, 0.845, 0.85], shape: 'overfitting', epochs: 12 });
  const slow = makeDoc({ depth: 2, width: 8, values: [0.82, 0.835, 0.84], shape: 'still-improving', epochs: 12 });
  const healthy = makeDoc({ depth: 2, width: 32, values: [0.835, 0.85, 0.85], shape: 'healthy', epochs: 12 });
  const analysis = analyzeRun([best, under, over, slow, healthy], spec);
  const run = diagnoseRun(analysis, spec);
  const byLabel = new Map(run.candidates.map((d) => [d.label, d]));
  const kinds = (label: string) => byLabel.get(label)!.findings.map((f) => f.kind);

  it('too little capacity: a smaller network, significantly worse, whose training score is below the best validation score', () => {
    expect(kinds('dense d1 w4')).toEqual(['underfitting']);
    const f = byLabel.get('dense d1 w4')!.findings[0]!;
    expect(f.numbers['trainMetric']).toBeCloseTo(0.81, 12);
    expect(f.numbers['bestValMetric']).toBeCloseTo(0.85, 12);
    // Paired: d1 w4 − best = −0.05, −0.045, −0.06 → p = 0.0199 < 0.05.
    expect(f.numbers['p']).toBeLessThan(0.05);
    expect(f.message).toMatch(/^too little capacity: training accuracy 0\.810 is below the validation accuracy 0\.850 of the best candidate \(dense d2 w64, 4,929 parameters\)/);
  });

  it('overfitting: told in the ranking metric, never in the standardised loss', () => {
    expect(kinds('dense d3 w256')).toEqual(['overfitting']);
    const f = byLabel.get('dense d3 w256')!.findings[0]!;
    expect(f.numbers['bestEpoch']).toBe(5);
    expect(f.numbers['lastEpoch']).toBe(12);
    expect(f.numbers['trialsOverfitting']).toBe(3);
    expect(f.message).toMatch(/^after its best epoch \(5\) validation accuracy worsened 0\.\d+ → 0\.\d+ by epoch 12 while training accuracy went /);
    expect(f.message).not.toMatch(/loss/);
  });

  it('unfinished: validation accuracy rising at the cap, counted in trials', () => {
    expect(kinds('dense d2 w8')).toEqual(['unfinished']);
    const f = byLabel.get('dense d2 w8')!.findings[0]!;
    expect(f.message).toMatch(/^3 of 3 trials were still improving at the 12-epoch cap: validation accuracy 0\.\d+ → 0\.\d+ from epochs 7–9 to epochs 10–12/);
    expect(f.message).toContain('raise training.epochs');
  });

  it('healthy: none of the above, in the metric', () => {
    expect(kinds('dense d2 w32')).toEqual(['healthy']);
    expect(kinds('dense d2 w64')).toEqual(['healthy']);
    expect(byLabel.get('dense d2 w64')!.findings[0]!.message).toBe('no finding: training accuracy 0.940, validation 0.850 ± 0.015.');
  });

  it('counts findings and trials in sentences that read right', () => {
    // 3 flagged of 5; 3 slow trials + 12 others: the healthy/best/underfitting/overfitting curves run all 12 epochs too.
    expect(run.summary[0]).toBe('3 of 5 candidates have findings (below); the other 2 are not flagged.');
    expect(run.summary[1]).toBe('All 15 trials ran to the 12-epoch cap without stopping early; 3 of them were still improving at the end.');
    expect(run.capacityJudged).toBe(true);
  });
});

describe('diagnoses that hold up (the situations of issue 10)', () => {
  it('standard error 0 — every fold perfect — does not make the largest networks "underfitting"', () => {
    const spec = makeSpec({ training: { epochs: 30 } });
    const perfect = makeDoc({ depth: 1, width: 16, values: [1, 1, 1, 1, 1], trainValues: [1, 1, 1, 1, 1], curves: Array(5).fill(settled(1, 1)) });
    const large = [
      makeDoc({ depth: 3, width: 64, values: [1, 1, 0.995, 1, 1], trainValues: [0.998, 0.999, 0.998, 0.999, 0.998], curves: Array(5).fill(settled(1, 0.998)) }),
      makeDoc({ depth: 3, width: 32, values: [1, 0.995, 1, 1, 1], trainValues: [0.997, 0.998, 0.999, 0.998, 0.998], curves: Array(5).fill(settled(1, 0.998)) }),
    ];
    const a = analyzeRun([perfect, ...large], spec);
    expect(a.best!.summary.se).toBe(0);
    const run = diagnoseRun(a, spec);
    expect(run.candidates.map((d) => d.findings.map((f) => f.kind))).toEqual([['healthy'], ['healthy'], ['healthy']]);
    expect(run.summary[0]).toBe('None of the 3 candidates is flagged for underfitting, overfitting or unfinished training.');
    expect(run.summary[1]).toBe('Every one of the 15 trials stopped early, before the 30-epoch cap.');
  });

  it('a smaller network within noise of the best gets no capacity verdict', () => {
    const spec = makeSpec({ training: { epochs: 30 } });
    const best = makeDoc({ depth: 2, width: 64, values: [0.85, 0.83, 0.86, 0.84, 0.87], curves: Array(5).fill(settled(0.85, 0.9)) });
    // Training accuracy 0.845 is below the best's 0.85, but its validation differs from the best's by noise.
    const small = makeDoc({ depth: 1, width: 8, values: [0.84, 0.845, 0.85, 0.835, 0.86], trainValues: Array(5).fill(0.845), curves: Array(5).fill(settled(0.846, 0.845)) });
    const a = analyzeRun([best, small], spec);
    expect(a.ranked[1]!.approxBest).toBe(true);
    expect(diagnoseRun(a, spec).candidates[1]!.findings.map((f) => f.kind)).toEqual(['healthy']);
  });

  it('"9 of 12 trials hit the epoch cap": unfinished, counted honestly', () => {
    const spec = makeSpec({ training: { epochs: 30 }, evaluation: { strategy: 'kfold', folds: 4, repeats: 3 } });
    const curves = [...Array(9).fill(rising(30, 0.6, 0.005)), ...Array(3).fill(settled(0.74, 0.76))];
    const values = [...Array(9).fill(0.745), 0.74, 0.74, 0.74];
    const doc = makeDoc({ depth: 2, width: 16, values, folds: 4, curves });
    const run = diagnoseRun(analyzeRun([doc], spec), spec);
    const f = run.candidates[0]!.findings;
    expect(f.map((x) => x.kind)).toEqual(['unfinished']);
    expect(f[0]!.message).toBe(
      '9 of 12 trials were still improving at the 30-epoch cap: validation accuracy 0.725 → 0.740 from epochs 25–27 to epochs 28–30 (means over those trials) — raise training.epochs.',
    );
    expect(run.summary).toEqual([
      'The candidate has findings (below).',
      '9 of 12 trials ran to the 30-epoch cap without stopping early; all of them were still improving at the end.',
      'Capacity is not judged: 9 of 12 trials were still improving when they reached the cap, so the networks have not shown what they can do — raise training.epochs.',
    ]);
  });

  it('after a handful of epochs with every network still improving, nothing about capacity (mnist, 3 epochs)', () => {
    const spec = makeSpec({ dataset: { key: 'datasets/m.npz', format: 'npz', task: 'multiclass', target: 'y' }, model: { family: 'cnn', depth: [1, 2], width: [8, 16] }, training: { epochs: 3 } });
    const doc = (depth: number, width: number, start: number, params: number) =>
      makeDoc({
        family: 'cnn',
        depth,
        width,
        params,
        values: [start + 0.1, start + 0.098],
        trainValues: [start + 0.09, start + 0.089],
        curves: [rising(3, start, 0.05), rising(3, start - 0.002, 0.05)],
        classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      });
    // The 27k-parameter network trains to 0.84 while the best validates at 0.95: "too small"? Not after 3 epochs.
    const a = analyzeRun([doc(2, 16, 0.85, 60_000), doc(1, 8, 0.74, 27_000)], spec);
    const run = diagnoseRun(a, spec);
    expect(run.capacityJudged).toBe(false);
    expect(run.candidates.map((d) => d.findings.map((f) => f.kind))).toEqual([['unfinished'], ['unfinished']]);
    expect(run.summary[0]).toBe('All 2 candidates have findings (below).');
    expect(run.summary[2]).toMatch(/^Capacity is not judged: 4 of 4 trials were still improving/);
  });

  it('a larger network that trains worse is not "too little capacity"', () => {
    const spec = makeSpec({ training: { epochs: 30 } });
    const best = makeDoc({ depth: 1, width: 16, values: [0.85, 0.86, 0.87, 0.86, 0.85], trainValues: Array(5).fill(0.9), curves: Array(5).fill(settled(0.86, 0.9)) });
    const big = makeDoc({ depth: 3, width: 64, values: [0.8, 0.81, 0.8, 0.82, 0.8], trainValues: Array(5).fill(0.81), curves: Array(5).fill(settled(0.81, 0.81)) });
    const a = analyzeRun([best, big], spec);
    expect(a.ranked[1]!.pWorse!).toBeLessThan(0.05);
    expect(diagnoseRun(a, spec).candidates[1]!.findings.map((f) => f.kind)).toEqual(['healthy']);
  });

  it('overfitting is told in rmse with its unit (co2, ppm)', () => {
    const spec = makeSpec({
      dataset: { key: 'datasets/co2.csv', task: 'forecast', target: 'c', time: 't', lookback: 12, unit: 'ppm' },
      model: { family: 'lstm', depth: [1], width: [16] },
      training: { epochs: 8 },
    });
    const e = epochs([0.5, 0.3, 0.2, 0.15, 0.1, 0.07, 0.05, 0.04], [0.55, 0.35, 0.3, 0.33, 0.36, 0.4, 0.45, 0.5], [1.8, 1.4, 1.2, 1.1, 1, 0.9, 0.85, 0.8], [1.9, 1.5, 1.3, 1.35, 1.4, 1.45, 1.5, 1.6]);
    const doc = makeDoc({
      family: 'lstm',
      depth: 1,
      width: 16,
      metric: 'rmse',
      values: [1.3, 1.3],
      folds: 2,
      curves: [
        { epochs: e, bestEpoch: 3, stoppedEarly: false },
        { epochs: e, bestEpoch: 3, stoppedEarly: false },
      ],
    });
    const f = diagnoseRun(analyzeRun([doc], spec), spec).candidates[0]!.findings;
    expect(f[0]!.message).toBe(
      // Centred 3-epoch means: around epoch 3, validation (1.5 + 1.3 + 1.35) / 3 = 1.38 and training 1.23; the
      // last three epochs 1.52 and 0.850.
      'after its best epoch (3) validation rmse worsened 1.38 ppm → 1.52 ppm by epoch 8 while training rmse went 1.23 ppm → 0.850 ppm (2 of 2 trials; means over 3-epoch windows). ' +
        'Early stopping kept the weights of the best epoch, so the scores above are from before the divergence.',
    );
  });

  it('underfitting at chance level, with no better candidate to compare with', () => {
    const spec = makeSpec({ training: { epochs: 30 } });
    const chance = makeDoc({ depth: 1, width: 2, values: [0.5, 0.52], trainValues: [0.51, 0.53], classes: ['a', 'b'], curves: Array(2).fill(settled(0.51, 0.52)) });
    const d = diagnoseRun(analyzeRun([chance], spec), spec).candidates[0]!;
    expect(d.findings.map((f) => f.kind)).toEqual(['underfitting']);
    expect(d.findings[0]!.numbers).toEqual({ trainMetric: 0.52, chance: 0.5 });
  });
});

describe('a network that scores the baseline', () => {
  it('is diagnosed "at-baseline" — the same verdict its leaderboard mark gives — never "healthy"', () => {
    const spec = makeSpec({ training: { epochs: 30 } });
    const baseline = makeBaseline({ values: [0.6, 0.6, 0.6, 0.6, 0.6] });
    const flat = makeDoc({ depth: 1, width: 8, values: [0.6, 0.6, 0.6, 0.6, 0.6], trainValues: Array(5).fill(0.6), curves: Array(5).fill(settled(0.6, 0.6)) });
    const good = makeDoc({ depth: 2, width: 16, values: [0.8, 0.81, 0.79, 0.8, 0.82], curves: Array(5).fill(settled(0.8, 0.85)) });
    const a = analyzeRun([good, flat], spec, { baseline });
    const d = diagnoseRun(a, spec);
    const kinds = d.candidates[1]!.findings.map((f) => f.kind);
    expect(a.ranked[1]!.vsBaseline!.verdict).toBe('does-not-beat');
    expect(kinds).toContain('at-baseline');
    expect(kinds).not.toContain('healthy');
    expect(d.candidates[1]!.findings[0]!.message).toMatch(/^no better than the baseline "majority class": validation accuracy 0\.600/);
    expect(d.candidates[0]!.findings.map((f) => f.kind)).toEqual(['healthy']);
  });
});
