/**
 * The retry schedule of the deployed definition, and what it survives: the chance that a task gives
 * up within a one-minute outage, computed exactly from the template's Retry. (The outage itself,
 * against a stopped and restarted s3rver, is test/workflow.outage.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { STATE, TRANSIENT_ERRORS } from '../infra/workflow.js';
import { renderDefinition } from '../infra/render-definition.js';
import { trainState } from '../src/workflow/asl.js';
import { pauseCaps, probabilityAllPausesShorterThan } from './helpers/jitter.js';

describe('probabilityAllPausesShorterThan', () => {
  it('agrees with closed forms for uniform sums', () => {
    // Two U(0,1): P(sum < 1) = 1/2. Three U(0,2): P(sum < 2) = 2³ / (3! · 8) = 1/6.
    expect(probabilityAllPausesShorterThan([1, 1], 1)).toBeCloseTo(0.5, 12);
    expect(probabilityAllPausesShorterThan([2, 2, 2], 2)).toBeCloseTo(1 / 6, 12);
    // Irwin–Hall, n = 3, P(sum < 2) = 1 − 1/6 = 5/6; a sum that must exceed t: probability 1.
    expect(probabilityAllPausesShorterThan([1, 1, 1], 2)).toBeCloseTo(5 / 6, 12);
    expect(probabilityAllPausesShorterThan([1, 1], 5)).toBe(1);
  });
});

describe("the definition's retry schedule", () => {
  const { definition } = renderDefinition();
  const train = trainState(definition);
  const retrier = (train.Retry as Record<string, unknown>[])[0]!;

  it('doubles from 2 s up to a 60 s cap, with full jitter, 15 attempts', () => {
    expect(retrier).toMatchObject({ ErrorEquals: [...TRANSIENT_ERRORS], JitterStrategy: 'FULL' });
    expect(pauseCaps(retrier)).toEqual([2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
  });

  it('gives up within a 60-second outage with a probability below 10⁻⁸ (Train, RecordFailure, Plan, Aggregate, Report alike)', () => {
    const p = probabilityAllPausesShorterThan(pauseCaps(retrier), 60);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-8);
    const tasks = [STATE.plan, STATE.aggregate, STATE.report].map((s) => definition.States[s]!);
    tasks.push(definition.States[STATE.map]!.ItemProcessor!.States[STATE.recordFailure]!);
    for (const t of tasks) expect(t.Retry).toEqual(train.Retry);
  });
});
