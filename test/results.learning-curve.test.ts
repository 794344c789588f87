import { describe, expect, it } from 'vitest';
import { analyzeLearningCurve, chooseCurveCandidates, curveCost, learningCurvePlanLine, fractionKey, learningCurveDocSchema, type CurvePlan } from '../src/results/learning-curve.js';
import type { CandidateDoc } from '../src/results/document.js';
import { fitPowerLaw, powerLawAt } from '../src/stats/index.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const manifest = craftedManifest('run-1');
const [small, , , big] = manifest.candidates;

/** A document whose trial i is repeat i on 1,000·fraction training rows and 2,000 validation rows. */
function doc(values: number[], fraction: number, candidate = big!, params = 100): CandidateDoc {
  const d = craftedDoc('run-1', candidate, values, params);
  return { ...d, trials: d.trials.map((t) => ({ ...t, trainRows: Math.round(1000 * fraction), valRows: 2000 })) };
}

const FRACTIONS = [0.125, 0.25, 0.5, 1];

/** The curve of one candidate from its scores per fraction (the last: its own result). */
function curve(byFraction: number[][], candidate = big!) {
  const plan: CurvePlan = { schema: 'layerbench.curve-plan.v1', runId: 'run-1', fractions: FRACTIONS, candidates: [{ candidateId: candidate.id, role: 'recommended' }], createdAt: '' };
  const points = new Map(FRACTIONS.slice(0, -1).map((f, i) => [`${candidate.id}@${fractionKey(f)}`, doc(byFraction[i]!, f, candidate)]));
  return analyzeLearningCurve({
    runId: 'run-1',
    metric: 'accuracy',
    higherIsBetter: true,
    unit: null,
    plan,
    full: new Map([[candidate.id, doc(byFraction[3]!, 1, candidate)]]),
    points,
    now: new Date(0),
  });
}

const noise = [0.004, -0.003, 0.002, -0.004, 0.001];
const at = (level: number) => noise.map((e) => level + e);

describe('the learning curve: the decision rule applied to training rows', () => {
  it('says more data helps when the full data beats half of it on the shared trials, and extrapolates a gain', () => {
    const lc = curve([at(0.6), at(0.7), at(0.78), at(0.85)]);
    expect(learningCurveDocSchema.parse(lc)).toEqual(lc);
    const c = lc.candidates[0]!;
    expect(c.verdict.kind).toBe('helps');
    expect(c.verdict.pWorse).toBeLessThan(0.05);
    expect(c.verdict.difference).toBeCloseTo(0.07, 6);
    expect(c.extrapolation!.gain).toBeGreaterThan(0);
    expect(c.extrapolation!.rows).toBe(2000);
    expect(lc.verdict.kind).toBe('helps');
    expect(lc.verdict.headline).toMatch(/^More data is likely to help \(\+0\.0\d+ accuracy at 2× rows\)/);
    expect(c.points.map((p) => p.trainRows)).toEqual([125, 250, 500, 1000]);
    for (const p of c.points) expect(p.ci95!.lo).toBeLessThan(p.mean!);
  });

  it('says the curve has flattened when half the rows are as good by the rule', () => {
    // Half the rows: 0.001 lower, the trials' differences within ±0.001 — a gain beyond a standard error is ruled out.
    const wobble = [0.001, -0.001, 0.0005, -0.0005, 0];
    const lc = curve([at(0.8), at(0.845), at(0.849).map((v, i) => v + wobble[i]!), at(0.85)]);
    expect(lc.candidates[0]!.verdict.kind).toBe('flat');
    expect(lc.verdict.headline).toMatch(/^The curve has flattened: more data is unlikely to help \(the fitted trend: \+0\.0\d+ accuracy at 2× rows\); no larger network was tried\.$/);
    expect(lc.candidates[0]!.extrapolation!.gain).toBeLessThan(0.005);
  });

  it('says it is too noisy when half the rows trail by more than a standard error but the test cannot call them worse', () => {
    const wild = [0.15, -0.15, 0.1, -0.08, 0.04];
    const lc = curve([at(0.6), at(0.7), wild.map((e) => 0.8 + e), at(0.85)]);
    const v = lc.candidates[0]!.verdict;
    expect(v.kind).toBe('noisy');
    expect(v.pWorse).toBeGreaterThan(0.05);
    expect(lc.verdict.headline).toMatch(/^Too noisy to say whether more data would help/);
  });

  it('has no verdict when a point failed, and says which', () => {
    const plan: CurvePlan = { schema: 'layerbench.curve-plan.v1', runId: 'run-1', fractions: FRACTIONS, candidates: [{ candidateId: big!.id, role: 'best' }], createdAt: '' };
    const lc = analyzeLearningCurve({ runId: 'run-1', metric: 'accuracy', higherIsBetter: true, unit: null, plan, full: new Map([[big!.id, doc(at(0.85), 1)]]), points: new Map(), now: new Date(0) });
    expect(lc.verdict.kind).toBe('unknown');
    expect(lc.candidates[0]!.points.slice(0, 3).every((p) => p.status === 'missing')).toBe(true);
  });
});

describe("the curve's candidates and cost", () => {
  it('takes the recommended one and the best larger and best smaller (rows ranked best first)', () => {
    const rows = [
      { candidateId: 'huge', params: 5000 },
      { candidateId: 'mid', params: 500 },
      { candidateId: 'big', params: 1000 },
      { candidateId: 'tiny', params: 50 },
      { candidateId: 'small', params: 100 },
    ];
    expect(chooseCurveCandidates(rows, 'mid')).toEqual([
      { candidateId: 'mid', role: 'recommended' },
      { candidateId: 'huge', role: 'larger' },
      { candidateId: 'tiny', role: 'smaller' },
    ]);
    expect(chooseCurveCandidates(rows, null)[0]).toEqual({ candidateId: 'huge', role: 'best' });
    expect(chooseCurveCandidates([], null)).toEqual([]);
    expect(small).toBeDefined();
  });

  it('costs the fractions below 1 per candidate (the full data is reused), and says so before the run', () => {
    expect(curveCost(FRACTIONS, 3)).toEqual({ trainings: 9, candidateEquivalents: 2.625 });
    const spec = craftedManifest('x', { training: { epochs: 10 }, evaluation: { repeats: 3 }, learningCurve: true }).sweep;
    expect(learningCurvePlanLine(spec, 4)).toMatch(
      /^learning curve: up to 3 candidates .* = 9 more trainings, at most 270 epochs .* about 2\.6 candidates' worth of training, \+66 % on the sweep's 4/,
    );
    expect(learningCurvePlanLine(craftedManifest('y').sweep, 4)).toBeNull();
  });
});

describe('the power law of the error in the rows', () => {
  it('recovers a known curve and extrapolates it', () => {
    const truth = (n: number) => 0.05 + 0.4 * (n / 1000) ** -0.5;
    const fit = fitPowerLaw([125, 250, 500, 1000].map((n) => ({ n, err: truth(n), weight: 1 })))!;
    expect(fit.a).toBeCloseTo(0.05, 2);
    expect(fit.c).toBeCloseTo(0.5, 2);
    expect(powerLawAt(fit, 2000)).toBeCloseTo(truth(2000), 3);
  });

  it('never rises with more rows, and needs three row counts', () => {
    const fit = fitPowerLaw([100, 200, 400].map((n, i) => ({ n, err: 0.1 + 0.01 * i, weight: 1 })))!;
    expect(fit.b).toBe(0);
    expect(
      fitPowerLaw([
        { n: 1, err: 0.1, weight: 1 },
        { n: 2, err: 0.1, weight: 1 },
      ]),
    ).toBeNull();
  });
});
