import { describe, expect, it } from 'vitest';
import type { TrialPoint } from '../src/stats/index.js';
import { assignBrackets, floorLog, halvingProblems, halvingShape, MAX_ROUNDS, promoted, rankRung, type RungEntry } from '../src/search/halving/index.js';
import { parseSweep } from '../src/sweep/load.js';
import { sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';

const points = (values: number[]): TrialPoint[] => values.map((value, i) => ({ repeat: i, fold: 0, value, trainRows: 300, valRows: 100 }));
const entry = (candidateId: string, values: number[], params = 100): RungEntry => ({
  candidateId,
  mean: values.reduce((a, b) => a + b, 0) / values.length,
  params,
  points: points(values),
});

function spec(search: SweepSpecInput['search'], depth = [1, 2, 3], width = [4, 8, 16], epochs = 27) {
  return sweepSpecSchema.safeParse({
    name: 'h',
    dataset: { key: 'x.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth, width },
    training: { epochs },
    search,
  });
}

describe('halving schedule', () => {
  it('81 candidates, eta 3, 27 epochs: five rounds at 1, 1, 3, 9, 27 epochs (the first two at the minimum of 1)', () => {
    // Arrange / Act
    const shape = halvingShape(81, 27, { strategy: 'halving', eta: 3 });
    // Assert: r = 27 / 3^4 → 1 (at least one); s = min(4, ⌊log3 27⌋ = 3) = 3 rounds after the first
    expect(shape.minEpochs).toBe(1);
    expect(shape.budgets).toEqual([1, 3, 9, 27]);
    expect(shape.brackets).toEqual([{ startRound: 0, size: 81 }]);
  });

  it('9 candidates, eta 3, minEpochs 2, 18 epochs: rounds at 2, 6, 18', () => {
    const shape = halvingShape(9, 18, { strategy: 'halving', eta: 3, minEpochs: 2 });
    expect(shape.budgets).toEqual([2, 6, 18]);
  });

  it('hyperband splits the grid into brackets in Hyperband proportions, every candidate in exactly one', () => {
    // Arrange
    const shape = halvingShape(27, 27, { strategy: 'hyperband', eta: 3 });
    const ids = Array.from({ length: 27 }, (_, i) => `c${i}`);
    // Act
    const brackets = assignBrackets(shape, ids, 7);
    // Assert: s = 3 → weights ⌈4/4·27⌉ = 27, ⌈4/3·9⌉ = 12, ⌈4/2·3⌉ = 6, ⌈4/1·1⌉ = 4 scaled to 27
    expect(shape.brackets.map((b) => b.startRound)).toEqual([0, 1, 2, 3]);
    expect(shape.brackets.map((b) => b.size)).toEqual([15, 7, 3, 2]);
    expect(brackets.flatMap((b) => b.candidates).sort()).toEqual([...ids].sort());
    expect(assignBrackets(shape, ids, 7)).toEqual(brackets);
  });
});

describe('halving promotion', () => {
  it('keeps the top 1 in eta and the smallest candidates the paired test cannot tell from the cut; stops the rest', () => {
    // Arrange: accuracy, higher is better; 9 candidates, keep 3 (and at most ⌈3/3⌉ = 1 more).
    // "small" and "tiny" are within noise of the cut "c" and smaller than every top candidate; "wide" is too, but larger.
    const entries = [
      entry('a', [0.9, 0.91, 0.92]),
      entry('b', [0.88, 0.89, 0.9]),
      entry('c', [0.85, 0.86, 0.87]),
      entry('wide', [0.86, 0.85, 0.87], 400),
      entry('small', [0.86, 0.84, 0.865], 50),
      entry('tiny', [0.85, 0.84, 0.86], 20),
      ...['d', 'e', 'f'].map((id, i) => entry(id, [0.5 - i * 0.01, 0.51 - i * 0.01, 0.5 - i * 0.01], 10)),
      { candidateId: 'broken', mean: null, params: null, points: [] },
    ];
    // Act
    const decision = rankRung(entries, 3, true, 0);
    // Assert: the smallest of the indistinguishable goes on; the larger ones, and the clearly worse (however small), stop
    expect(decision).toMatchObject({ keep: 3, against: 'cut', cut: 'c' });
    expect(promoted(decision)).toEqual(['a', 'b', 'c', 'tiny']);
    const verdict = Object.fromEntries(decision.candidates.map((c) => [c.candidateId, c.verdict]));
    expect(verdict).toMatchObject({ a: 'top', tiny: 'indistinguishable', small: 'stopped', wide: 'stopped', d: 'stopped', broken: 'failed' });
    for (const id of ['wide', 'small', 'tiny']) expect(decision.candidates.find((c) => c.candidateId === id)!.p).toBeGreaterThanOrEqual(0.05);
    expect(decision.candidates.find((c) => c.candidateId === 'd')!.p).toBeLessThan(0.05);
  });

  it('when more than k are within noise of the best, the best goes on with the smallest of them, not the next by mean', () => {
    // Arrange: accuracy, higher is better; 6 candidates, keep 2. "best" leads; "wide", "mid" and "small"
    // are within noise of it (their differences from it change sign across trials); "poor" is clearly worse.
    const entries = [
      entry('best', [0.9, 0.86, 0.88], 5000),
      entry('wide', [0.87, 0.89, 0.875], 4000),
      entry('mid', [0.88, 0.85, 0.885], 900),
      entry('small', [0.86, 0.88, 0.86], 60),
      entry('poor', [0.6, 0.61, 0.6], 10),
      entry('poor2', [0.55, 0.56, 0.55], 20),
    ];
    // Act
    const decision = rankRung(entries, 3, true, 0);
    // Assert: "small" goes on beside the best although "wide" and "mid" score higher; they stop, as does
    // the clearly worse "poor" however small it is; every test is against the best
    expect(decision).toMatchObject({ keep: 2, against: 'best', cut: 'best' });
    expect(promoted(decision)).toEqual(['best', 'small']);
    const verdict = Object.fromEntries(decision.candidates.map((c) => [c.candidateId, c.verdict]));
    expect(verdict).toEqual({ best: 'top', wide: 'stopped', mid: 'stopped', small: 'indistinguishable', poor: 'stopped', poor2: 'stopped' });
    for (const id of ['wide', 'mid', 'small']) expect(decision.candidates.find((c) => c.candidateId === id)!.p).toBeGreaterThanOrEqual(0.05);
    expect(decision.candidates.find((c) => c.candidateId === 'poor')!.p).toBeLessThan(0.05);
  });

  it('when k is 1 and others are within noise of the best, the smallest of them goes on beside it', () => {
    const entries = [entry('best', [0.9, 0.86, 0.88], 5000), entry('wide', [0.87, 0.89, 0.875], 4000), entry('small', [0.86, 0.88, 0.86], 60)];
    const decision = rankRung(entries, 3, true, 0);
    expect(decision).toMatchObject({ keep: 1, against: 'best' });
    expect(promoted(decision)).toEqual(['best', 'small']);
  });

  it('lower-is-better metrics keep the smallest; with one trial each only the top go on (no test)', () => {
    const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => entry(id, [i + 1]));
    const decision = rankRung(entries, 2, false, 0);
    expect(promoted(decision)).toEqual(['a', 'b', 'c']);
    expect(decision.candidates.filter((c) => c.verdict === 'stopped').map((c) => c.test)).toEqual([null, null, null]);
  });
});

describe('halving specs that cannot work', () => {
  const message = (r: ReturnType<typeof spec>) => (r.success ? 'valid' : `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);

  it('eta below 2', () => {
    expect(message(spec({ strategy: 'halving', eta: 1 }))).toMatch(/^search\.eta: /);
  });
  it('a minimum budget above the maximum', () => {
    expect(message(spec({ strategy: 'halving', minEpochs: 30 }))).toBe('search.minEpochs: 30 is above training.epochs (27), the budget of the last rung');
  });
  it('a budget below one rung', () => {
    expect(message(spec({ strategy: 'halving', budget: { epochs: 5 } }))).toBe('search.budget.epochs: 5 is less than the first rung alone (9 candidates × 3 trials × 3 epochs = 81)');
  });
  it('halving with a single candidate', () => {
    expect(message(spec({ strategy: 'hyperband' }, [2], [8]))).toMatch(/^search\.strategy: hyperband needs at least 2 candidates/);
  });
  it('halving options on a grid sweep', () => {
    expect(message(spec({ strategy: 'grid', eta: 3 }))).toBe('search.eta: is only for strategy "halving" or "hyperband"');
  });
  it('a well-formed halving sweep is valid, and its problems list is empty', () => {
    const r = spec({ strategy: 'halving', eta: 3, budget: { epochs: 200 } });
    expect(message(r)).toBe('valid');
    expect(halvingProblems(r.data!, 9)).toEqual([]);
  });
});

/**
 * Search settings that cannot end (issue 21): a zero or vanishing minEpochs made the rounds'
 * logarithm count for ever, at 100 % CPU, inside the spec's own validation. Each is now one line
 * naming the field, and the counting itself is bounded whatever it is given.
 */
describe('search settings that cannot terminate', () => {
  const line = (search: Record<string, unknown>, training: Record<string, unknown> = { epochs: 27 }) => {
    try {
      parseSweep({ name: 'h', dataset: { key: 'x.csv', task: 'binary', target: 'y' }, model: { family: 'dense', depth: [1, 2, 3], width: [4, 8, 16] }, training, search }, 'sweep.json');
      return 'valid';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it.each([
    ['halving, minEpochs 0', { strategy: 'halving', minEpochs: 0 }, undefined, 'sweep.json: search.minEpochs: must be ≥ 1'],
    ['hyperband, minEpochs 0', { strategy: 'hyperband', minEpochs: 0 }, undefined, 'sweep.json: search.minEpochs: must be ≥ 1'],
    ['a negative minEpochs', { strategy: 'halving', minEpochs: -3 }, undefined, 'sweep.json: search.minEpochs: must be ≥ 1'],
    ['the smallest double as minEpochs', { strategy: 'halving', minEpochs: 5e-324 }, undefined, 'sweep.json: search.minEpochs: must be an integer'],
    ['minEpochs 1e308', { strategy: 'halving', minEpochs: 1e308 }, undefined, 'sweep.json: search.minEpochs: must be ≤ 10000'],
    ['eta 1e308', { strategy: 'hyperband', eta: 1e308 }, undefined, 'sweep.json: search.eta: must be ≤ 16'],
    ['epochs 1e308 with a minimum of 1', { strategy: 'halving', minEpochs: 1 }, { epochs: 1e308 }, 'sweep.json: training.epochs: must be ≤ 10000'],
    ['a budget of 0 epochs', { strategy: 'halving', budget: { epochs: 0 } }, undefined, 'sweep.json: search.budget.epochs: must be ≥ 1'],
    ['a budget of $0', { strategy: 'halving', budget: { usd: 0 } }, undefined, 'sweep.json: search.budget.usd: must be > 0'],
    ['an empty budget', { strategy: 'halving', budget: {} }, undefined, 'sweep.json: search.budget: must give epochs or usd'],
  ])('%s', (_name, search, training, expected) => {
    expect(line(search, training)).toBe(expected);
  });

  it('floorLog counts no further than MAX_ROUNDS, and not at all below its base or on NaN', () => {
    expect(floorLog(Number.POSITIVE_INFINITY, 3)).toBe(MAX_ROUNDS);
    expect(floorLog(27 / 5e-324, 2)).toBe(MAX_ROUNDS);
    expect(floorLog(Number.NaN, 3)).toBe(0);
    expect(floorLog(-9, 3)).toBe(0);
    expect(floorLog(81, 3)).toBe(4);
  });

  it('halvingShape given a minimum of 0 falls back to the default rather than an infinite ratio', () => {
    expect(halvingShape(9, 27, { strategy: 'halving', eta: 3, minEpochs: 0 }).budgets).toEqual(halvingShape(9, 27, { strategy: 'halving', eta: 3 }).budgets);
  });
});
