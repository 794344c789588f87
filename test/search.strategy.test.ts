import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { HalvingState } from '../src/results/halving.js';
import { strategyFor } from '../src/search/strategies.js';
import type { RoundContext, RoundResult } from '../src/search/strategy.js';
import type { TrialPoint } from '../src/stats/index.js';
import { parseSweep } from '../src/sweep/load.js';
import { SEARCH_STRATEGIES, sweepSpecSchema, type SweepSpecInput } from '../src/sweep/schema.js';

const sweep = (search: SweepSpecInput['search'], more: Partial<SweepSpecInput> = {}) =>
  parseSweep({
    name: 's',
    dataset: { key: 'x.csv', task: 'binary', target: 'y' },
    model: { family: 'dense', depth: [1, 2, 3], width: [4, 8, 16] },
    training: { epochs: 9 },
    evaluation: { repeats: 2 },
    search,
    ...more,
  });

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
const points = (values: number[]): TrialPoint[] => values.map((value, i) => ({ repeat: i, fold: 0, value, trainRows: 300, valRows: 100 }));
/** Round results where c0 is best and each next candidate clearly worse (accuracy, two trials each). */
function results(candidates: readonly string[]): Map<string, RoundResult> {
  return new Map(
    candidates.map((id) => {
      const k = Number(id.slice(1));
      const values = [0.9 - 0.05 * k, 0.91 - 0.05 * k];
      return [id, { candidateId: id, mean: (values[0]! + values[1]!) / 2, params: 100, points: points(values) }];
    }),
  );
}
const context = (spentEpochs = 0): RoundContext => ({ higherIsBetter: true, spent: { epochs: spentEpochs, usd: 0, cpuSeconds: 0 }, usdPerEpoch: 0, now: new Date('2026-01-01T00:00:00Z') });

describe('one strategy per name the spec allows', () => {
  it.each(SEARCH_STRATEGIES.map((s) => [s]))('%s', (name) => {
    expect(strategyFor({ strategy: name }).name).toBe(name);
  });
});

describe('grid and random: one round of every candidate they propose', () => {
  it('grid proposes every depth × width point, trains them once and is then done', () => {
    // Arrange
    const spec = sweep({ strategy: 'grid' });
    const grid = strategyFor(spec.search);
    // Act
    const state = grid.start('run', spec, ids(9));
    // Assert
    expect(grid.points(spec)).toHaveLength(9);
    expect(grid.points(spec)[0]).toEqual({ depth: 1, width: 4 });
    expect(state).toBeNull();
    expect(grid.round(state, ids(9))).toEqual({ round: null, candidates: ids(9), final: true });
    expect(grid.done(state)).toBe(true);
    expect(grid.schedule(spec, 9)).toEqual({ rounds: [{ epochs: 9, candidates: 9, atMost: 9 }], epochs: { planned: 162, atMost: 162, grid: 162 } });
    expect(() => grid.advance({} as HalvingState, new Map(), context())).toThrow(/single round/);
  });

  it('random draws search.count points of the grid, the same ones for the same seed', () => {
    const a = sweep({ strategy: 'random', count: 4, seed: 3 });
    const random = strategyFor(a.search);
    const drawn = random.points(a);
    expect(drawn).toHaveLength(4);
    expect(new Set(drawn.map((p) => `${p.depth}x${p.width}`)).size).toBe(4);
    expect(random.points(sweep({ strategy: 'random', count: 4, seed: 3 }))).toEqual(drawn);
    expect(random.points(sweep({ strategy: 'random', count: 4, seed: 4 }))).not.toEqual(drawn);
    expect(random.done(null)).toBe(true);
  });
});

describe('halving through the interface', () => {
  it('starts with every candidate at the first budget, promotes the top 1 in eta, and is done after the last round', () => {
    // Arrange: 9 candidates, eta 3, 9 epochs → rounds at 1, 3 and 9 epochs
    const spec = sweep({ strategy: 'halving', eta: 3 });
    const halving = strategyFor(spec.search);

    // Act
    const s0 = halving.start('run', spec, ids(9))!;
    const r0 = halving.round(s0, []);
    const s1 = halving.advance(s0, results(r0.candidates), context(18));
    const r1 = halving.round(s1, []);
    const s2 = halving.advance(s1, results(r1.candidates), context(30));
    const r2 = halving.round(s2, []);

    // Assert
    expect(s0).toMatchObject({ schema: 'layerbench.halving.v1', strategy: 'halving', budgets: [1, 3, 9], trials: 2, stopped: null });
    expect(r0).toEqual({ round: 0, candidates: ids(9), final: false });
    expect(halving.done(s0)).toBe(false);
    expect(r1).toEqual({ round: 1, candidates: ['c0', 'c1', 'c2'], final: false });
    expect(s1.rounds[0]!.promotion!.brackets[0]).toMatchObject({ entered: 9, keep: 3, cut: 'c2' });
    expect(r2).toEqual({ round: 2, candidates: ['c0'], final: true });
    expect(halving.done(s2)).toBe(true);
  });

  it('stops the rounds when the next would pass search.budget, and is then done', () => {
    const spec = sweep({ strategy: 'halving', eta: 3, budget: { epochs: 20 } });
    const halving = strategyFor(spec.search);
    const s0 = halving.start('run', spec, ids(9))!;
    // Round 0 spent 9 × 2 × 1 = 18; round 1 would add 3 × 2 × (3 − 1) = 12.
    const s1 = halving.advance(s0, results(ids(9)), context(18));
    expect(s1.stopped).toMatchObject({ reason: 'budget', message: 'round 1 would train 12 more epochs: 18 + 12 is over search.budget.epochs (20)' });
    expect(halving.done(s1)).toBe(true);
  });

  it('a dollar budget says its figures at one precision', () => {
    const spec = sweep({ strategy: 'halving', eta: 3, budget: { usd: 0.05 } });
    const halving = strategyFor(spec.search);
    const s0 = halving.start('run', spec, ids(9))!;
    // Round 1 would train 12 epochs at $0.001 each: $0.012 on top of the $0.045 spent.
    const s1 = halving.advance(s0, results(ids(9)), { ...context(18), spent: { epochs: 18, usd: 0.045, cpuSeconds: 0 }, usdPerEpoch: 0.001 });
    expect(s1.stopped?.message).toBe('round 1 would cost about $0.012 more: $0.045 + $0.012 is over search.budget.usd ($0.050)');
  });

  it('hyperband: later brackets join at later rounds and train from scratch', () => {
    const spec = sweep({ strategy: 'hyperband', eta: 3, seed: 5 });
    const hyperband = strategyFor(spec.search);
    const s0 = hyperband.start('run', spec, ids(9))!;
    expect(s0.brackets.map((b) => [b.startRound, b.candidates.length])).toEqual([
      [0, 5],
      [1, 3],
      [2, 1],
    ]);
    const s1 = hyperband.advance(s0, results(hyperband.round(s0, []).candidates), context());
    const joined = s0.brackets[1]!.candidates;
    expect(hyperband.round(s1, []).candidates).toEqual(expect.arrayContaining(joined));
  });
});

describe('the schedule a search describes before it trains', () => {
  it('halving, 81 candidates, eta 3, 27 epochs, one trial: 81 → 27 → 9 → 3, and at most a third more (the small ones the test cannot tell from the cut)', () => {
    // Arrange
    const spec = sweep(
      { strategy: 'halving', eta: 3 },
      { model: { family: 'dense', depth: [1, 2, 3, 4, 5, 6, 7, 8, 9], width: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, training: { epochs: 27 }, evaluation: { repeats: 1 } },
    );
    // Act
    const schedule = strategyFor(spec.search).schedule(spec, 81);
    // Assert: promoted candidates continue from their checkpoints, so round i adds b_i − b_(i−1) epochs each
    expect(schedule.rounds).toEqual([
      { epochs: 1, candidates: 81, atMost: 81 },
      { epochs: 3, candidates: 27, atMost: 27 + 9 },
      { epochs: 9, candidates: 9, atMost: 12 + 4 },
      { epochs: 27, candidates: 3, atMost: 5 + 2 },
    ]);
    expect(schedule.epochs).toEqual({ planned: 81 + 27 * 2 + 9 * 6 + 3 * 18, atMost: 81 + 36 * 2 + 16 * 6 + 7 * 18, grid: 81 * 27 });
  });

  it('hyperband counts the candidates that join a round from scratch', () => {
    const spec = sweep({ strategy: 'hyperband', eta: 3 });
    const schedule = strategyFor(spec.search).schedule(spec, 9);
    // Brackets of 5, 3 and 1 joining at rounds 0, 1, 2: round 1 holds ⌊5/3⌋ = 1 promoted + 3 joining,
    // round 2 the first bracket's 1 and the second's ⌊3/3⌋ = 1, promoted, + 1 joining.
    expect(schedule.rounds.map((r) => r.candidates)).toEqual([5, 1 + 3, 2 + 1]);
    expect(schedule.epochs.planned).toBe(2 * (5 * 1 + (1 * 2 + 3 * 3) + (2 * 6 + 1 * 9)));
  });
});

describe('the spec validates search options through the strategies, and imports none of them', () => {
  it("halving's rules reach the spec's validation (registered by the strategy)", () => {
    const r = sweepSpecSchema.safeParse({ name: 's', dataset: { key: 'x.csv', task: 'binary', target: 'y' }, model: { family: 'dense', depth: [1], width: [4] }, search: { strategy: 'halving' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['search', 'strategy'], message: expect.stringMatching(/^halving needs at least 2 candidates/) });
  });

  it('no module of src/sweep imports a search strategy (no cycle through the statistics)', async () => {
    const dir = new URL('../src/sweep/', import.meta.url);
    const sources = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.ts')).map(async (f) => [f, await readFile(new URL(f, dir), 'utf8')] as const));
    expect(sources.length).toBeGreaterThan(2);
    const strategyImports = (text: string) => [...text.matchAll(/from '([^']*\/search\/[^']*)'/g)].map((m) => m[1]);
    for (const [file, text] of sources) expect({ file, imports: strategyImports(text) }).toEqual({ file, imports: [] });
  });
});
