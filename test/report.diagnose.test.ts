import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../src/results/document.js';
import { diagnoseCandidate, diagnoseRun, meanCurve, trialOverfits, trialStillImproving } from '../src/report/diagnose.js';
import { analyzeRun } from '../src/report/stats.js';
import { makeDoc, makeSpec } from './fixtures/report/factory.js';

/** Epoch records from columns: loss, valLoss, metric, valMetric per epoch. */
function epochs(loss: number[], valLoss: number[], metric: number[], valMetric: number[]): EpochRecord[] {
  return loss.map((l, i) => ({ epoch: i + 1, loss: l, valLoss: valLoss[i]!, metric: metric[i]!, valMetric: valMetric[i]! }));
}

describe('trial-level tests', () => {
  it('overfitting: the gap grows after the best epoch while validation loss rises', () => {
    // Best epoch 3 (val loss 0.40, gap 0.05); by epoch 6 the gap is 0.55 − 0.10 = 0.45 > 0.10 × 0.40.
    const e = epochs([0.6, 0.45, 0.35, 0.25, 0.15, 0.1], [0.65, 0.5, 0.4, 0.45, 0.5, 0.55], [0.7, 0.8, 0.85, 0.9, 0.93, 0.95], [0.7, 0.78, 0.82, 0.81, 0.8, 0.79]);
    const ev = trialOverfits({ epochs: e, bestEpoch: 3 })!;
    expect(ev.gapAtBest).toBeCloseTo(0.05, 12);
    expect(ev.gapAtLast).toBeCloseTo(0.45, 12);
    expect(ev.valLossAtLast).toBe(0.55);
  });

  it('no overfitting when the gap stays flat, or fewer than two epochs follow the best', () => {
    const flat = epochs([0.5, 0.4, 0.35, 0.34, 0.34], [0.55, 0.45, 0.4, 0.41, 0.41], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]);
    expect(trialOverfits({ epochs: flat, bestEpoch: 3 })).toBeNull();
    const short = epochs([0.5, 0.3, 0.1], [0.5, 0.4, 0.6], [0, 0, 0], [0, 0, 0]);
    expect(trialOverfits({ epochs: short, bestEpoch: 2 })).toBeNull();
  });

  it('still improving: no early stop, best epoch at the end, validation metric up > 0.5 % over 3 epochs', () => {
    const e = epochs([0.7, 0.6, 0.5, 0.45, 0.4], [0.72, 0.62, 0.52, 0.47, 0.42], [0.6, 0.65, 0.7, 0.73, 0.76], [0.6, 0.64, 0.68, 0.71, 0.74]);
    const ev = trialStillImproving({ epochs: e, bestEpoch: 5, stoppedEarly: false }, true)!;
    expect(ev.from).toBe(0.64);
    expect(ev.to).toBe(0.74);
    expect(ev.relativeGain).toBeCloseTo(0.1 / 0.64, 12);
    expect(trialStillImproving({ epochs: e, bestEpoch: 5, stoppedEarly: true }, true)).toBeNull();
    // Lower is better (rmse): a rising validation rmse is not improvement.
    expect(trialStillImproving({ epochs: e, bestEpoch: 5, stoppedEarly: false }, false)).toBeNull();
  });

  it('a plateau (gain ≤ 0.5 %) is not still improving', () => {
    const e = epochs([0.4, 0.4, 0.4, 0.4], [0.4, 0.4, 0.4, 0.4], [0.8, 0.8, 0.8, 0.8], [0.8, 0.801, 0.802, 0.803]);
    expect(trialStillImproving({ epochs: e, bestEpoch: 4, stoppedEarly: false }, true)).toBeNull();
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
  const spec = makeSpec();
  const best = makeDoc({ depth: 2, width: 64, values: [0.84, 0.85, 0.86], trainValues: [0.93, 0.94, 0.95] });
  const under = makeDoc({ depth: 1, width: 4, values: [0.79, 0.8, 0.81], trainValues: [0.8, 0.81, 0.82], shape: 'underfitting' });
  const over = makeDoc({ depth: 3, width: 256, values: [0.83, 0.84, 0.85], shape: 'overfitting', epochs: 12 });
  const slow = makeDoc({ depth: 2, width: 8, values: [0.82, 0.83, 0.84], shape: 'still-improving', epochs: 12 });
  const healthy = makeDoc({ depth: 2, width: 32, values: [0.835, 0.845, 0.855], shape: 'healthy', epochs: 12 });
  const analysis = analyzeRun([best, under, over, slow, healthy], spec);
  const byLabel = new Map(diagnoseRun(analysis, 'binary').map((d) => [d.label, d]));
  const kinds = (label: string) => byLabel.get(label)!.findings.map((f) => f.kind);

  it('underfitting: training accuracy below the best candidate’s validation accuracy', () => {
    expect(kinds('dense d1 w4')).toEqual(['underfitting']);
    const f = byLabel.get('dense d1 w4')!.findings[0]!;
    expect(f.numbers['trainMetric']).toBeCloseTo(0.81, 12);
    expect(f.numbers['bestValMetric']).toBeCloseTo(0.85, 12);
    expect(f.message).toContain('training accuracy 0.810 is worse than the best candidate\'s validation accuracy 0.850 (dense d2 w64)');
  });

  it('overfitting: gap growing after the best epoch, with the numbers', () => {
    expect(kinds('dense d3 w256')).toEqual(['overfitting']);
    const f = byLabel.get('dense d3 w256')!.findings[0]!;
    expect(f.numbers['bestEpoch']).toBe(5);
    expect(f.numbers['lastEpoch']).toBe(12);
    expect(f.numbers['trialsOverfitting']).toBe(3);
    expect(f.numbers['gapAtLast']!).toBeGreaterThan(f.numbers['gapAtBest']! + 0.1 * f.numbers['valLossAtBest']!);
    expect(f.message).toMatch(/^after the best epoch \(5\) the train–validation loss gap grew from 0\.050 to /);
  });

  it('still improving: validation accuracy rising at the last epoch without an early stop', () => {
    expect(kinds('dense d2 w8')).toEqual(['still-improving']);
    const f = byLabel.get('dense d2 w8')!.findings[0]!;
    expect(f.numbers['lastEpoch']).toBe(12);
    expect(f.numbers['to']!).toBeGreaterThan(f.numbers['from']!);
    expect(f.message).toContain('more epochs would help');
  });

  it('healthy: none of the above', () => {
    expect(kinds('dense d2 w32')).toEqual(['healthy']);
    expect(kinds('dense d2 w64')).toEqual(['healthy']);
  });

  it('underfitting at chance level, even with no better candidate to compare with', () => {
    const chance = makeDoc({ depth: 1, width: 2, values: [0.5, 0.52], trainValues: [0.51, 0.53], classes: ['a', 'b'] });
    const a = analyzeRun([chance], spec);
    const d = diagnoseCandidate(chance, a, 'binary');
    expect(d.findings.map((f) => f.kind)).toEqual(['underfitting']);
    expect(d.findings[0]!.numbers).toEqual({ trainMetric: 0.52, chance: 0.5 });
  });

  it('underfitting follows the metric direction for rmse', () => {
    const regression = makeSpec({ dataset: { key: 'datasets/x.csv', task: 'regression', target: 'y' } });
    const good = makeDoc({ depth: 2, width: 64, metric: 'rmse', values: [1.0, 1.1, 1.2], trainValues: [0.7, 0.8, 0.9] });
    const poor = makeDoc({ depth: 1, width: 2, metric: 'rmse', values: [1.5, 1.6, 1.7], trainValues: [1.4, 1.5, 1.6] });
    const a = analyzeRun([good, poor], regression);
    expect(diagnoseCandidate(poor, a).findings.map((f) => f.kind)).toEqual(['underfitting']);
    expect(diagnoseCandidate(good, a).findings.map((f) => f.kind)).toEqual(['healthy']);
  });
});
