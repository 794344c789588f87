import { describe, expect, it } from 'vitest';
import { candidateCost, runCost, runOverhead } from '../src/cost/estimate.js';
import { compareWithGrid } from '../src/cost/grid.js';
import { priceTable } from '../src/cost/prices.js';
import type { Compute } from '../src/cost/compute.js';
import type { CandidateDoc } from '../src/results/document.js';
import { craftedDoc, craftedManifest } from './helpers/docs.js';

const manifest = craftedManifest('run');
const [a, b, c] = manifest.candidates;

/** A document whose two trials trained `lengths` epochs, measured as `compute`, `fitSeconds` of it inside fit. */
function measured(
  candidate: (typeof manifest.candidates)[number],
  lengths: number[],
  compute: Omit<Compute, 'platform' | 'memoryMb' | 'architecture'>,
  fitSeconds: number,
  stoppedEarly = false,
): CandidateDoc {
  const doc = craftedDoc(
    'run',
    candidate,
    lengths.map(() => 0.8),
    100,
  );
  return {
    ...doc,
    trials: doc.trials.map((t, i) => ({ ...t, stoppedEarly, epochs: Array.from({ length: lengths[i]! }, (_, e) => ({ ...t.epochs[0]!, epoch: e + 1 })) })),
    timing: { ...doc.timing, fitSeconds },
    compute: { ...compute, platform: 'local', memoryMb: null, architecture: 'arm64' },
  };
}

describe('what a search in rounds used against the full grid', () => {
  it("scales each candidate's fit time to the grid's epochs and counts its per-task cost once", () => {
    // Arrange: training.epochs 9. a reached the last round (3 tasks); b stopped after round 0 (1 task, 1 epoch a trial).
    const finalist = measured(a!, [9, 9], { tasks: 3, taskSeconds: 10, cpuSeconds: 9 }, 8);
    const stopped = measured(b!, [1, 1], { tasks: 1, taskSeconds: 3, cpuSeconds: 2.7 }, 1);

    // Act
    const r = compareWithGrid([finalist, stopped], 9, { rounds: 3 });

    // Assert: the finalist's trials finished (9 = training.epochs), so the stopped one's would have run 9 too.
    expect(r.used).toEqual({ epochs: 20, cpuSeconds: 11.7, usd: null });
    expect(r.grid.epochs).toBe(36);
    // a: fit share 8/10 → 9 × 0.2 / 3 tasks + 9 × 0.8 = 7.8; b: fit share 1/3 → 2.7 × 2/3 + 0.9 × 18/2 = 9.9
    expect(r.grid.cpuSeconds).toBeCloseTo(7.8 + 9.9, 10);
    expect(r.unmeasured).toBe(0);
  });

  it('a trial early stopping ended counts what it trained; an unfinished one the median of the finished, never more than training.epochs', () => {
    const early = measured(a!, [4, 6], { tasks: 2, taskSeconds: 2, cpuSeconds: 2 }, 2, true);
    const cut = measured(b!, [3, 3], { tasks: 1, taskSeconds: 1, cpuSeconds: 1 }, 1);
    const r = compareWithGrid([early, cut], 9, { rounds: 2 });
    // Finished trials trained 4 and 6: the median 5 stands in for the unfinished ones.
    expect(r.grid.epochs).toBe(4 + 6 + 5 + 5);
    expect(compareWithGrid([measured(b!, [3, 3], { tasks: 1, taskSeconds: 1, cpuSeconds: 1 }, 1)], 9, { rounds: 1 }).grid.epochs).toBe(18);
  });

  it("prices both sides as the leaderboard's cost does: the run's own figure, and the grid as one task and one item per candidate", () => {
    // Standard children: the tasks' transitions, not their wall seconds (an Express child's duration; test/cost.estimate.test.ts).
    const prices = priceTable({ mapExecution: 'standard' });
    const docs = [measured(a!, [9, 9], { tasks: 3, taskSeconds: 10, cpuSeconds: 9 }, 8), measured(b!, [1, 1], { tasks: 1, taskSeconds: 3, cpuSeconds: 2.7 }, 1)];
    const withoutCompute = { ...craftedDoc('run', c!, [0.7, 0.7], 100) };

    const r = compareWithGrid([...docs, withoutCompute], 9, { prices, rounds: 3 });

    expect(r.used.usd).toBeCloseTo(runCost(docs, prices, 3).total.usd, 12);
    // The grid: each candidate as one task of its estimated CPU-seconds (7.8 and 9.9, as above), and one round's overhead.
    const oneTask = (cpuSeconds: number): Compute => ({ tasks: 1, taskSeconds: 0, cpuSeconds, platform: 'local', memoryMb: null, architecture: 'arm64' });
    expect(r.grid.usd!).toBeCloseTo(runOverhead(1, prices).usd + candidateCost(oneTask(7.8), prices).usd + candidateCost(oneTask(9.9), prices).usd, 12);
    expect(r.unmeasured).toBe(1);
  });
});
