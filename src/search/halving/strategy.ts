/**
 * Successive halving and Hyperband over the sweep's depth × width grid: spend few epochs on every
 * candidate, more on the better ones, the full `training.epochs` only on the last few.
 *
 * **Rounds and budgets** (./shape.ts). A sweep with `search.strategy` "halving" runs in rounds of the
 * same state machine (Plan → Map(Train) → Aggregate → Promote → Map(Train) → …). Round i trains its
 * candidates to b_i epochs in all — a promoted candidate continues from its checkpoint
 * (src/train/checkpoint.ts), it does not start again — and the last round to training.epochs.
 *
 * **Promotion** (./promotion.ts). After each round but the last, each bracket keeps 1 in η: when more
 * than that are within noise of its best, the best and the smallest of them; otherwise its top 1 in η
 * and the smallest of those the paired test cannot tell from the cut (at most ⌈k / η⌉ more, each
 * smaller than every network of the top).
 *
 * **Hyperband** (Li et al., JMLR 18, 2018) hedges against a minimum budget that is too small: the grid
 * is split (seeded by search.seed) into brackets that join at later rounds and halve from there.
 * Every bracket trains at the round's budget b_i, so all finalists reach training.epochs in the last
 * round and are ranked together.
 *
 * **Budget** (./rounds.ts). `search.budget` (total epochs over all trials, or USD) is checked before
 * each round: a round that would take the spend past it is not started, and the report lists what
 * was left untrained. The first round must fit (the sweep is refused otherwise).
 */
import { rng, shuffle } from '../../random.js';
import { registerSearchRules } from '../../sweep/search-rules.js';
import { trialsPerCandidate, type HalvingStrategy, type SweepSpec } from '../../sweep/schema.js';
import { gridPoints } from '../grid.js';
import type { SearchStrategy } from '../strategy.js';
import { decideRound, openRound, roundsDone, startRounds } from './rounds.js';
import { halvingProblems, halvingShape, scheduledEpochs, scheduledRounds } from './shape.js';

function halvingStrategy(name: HalvingStrategy): SearchStrategy {
  const shapeOf = (spec: SweepSpec, candidates: number) => halvingShape(candidates, spec.training.epochs, { ...spec.search, strategy: name });
  return {
    name,
    // Every point, in a seeded order (the manifest's order of candidates; hyperband splits it into brackets).
    points: (spec) => shuffle(gridPoints(spec), rng(spec.search.seed)),
    problems: halvingProblems,
    schedule: (spec, candidates) => {
      const shape = shapeOf(spec, candidates);
      const trials = trialsPerCandidate(spec);
      return {
        rounds: scheduledRounds(shape),
        epochs: {
          planned: scheduledEpochs(shape, trials, (r) => r.candidates),
          atMost: scheduledEpochs(shape, trials, (r) => r.atMost),
          grid: candidates * trials * spec.training.epochs,
        },
      };
    },
    start: (runId, spec, candidateIds) => startRounds(name, runId, spec, candidateIds),
    round: (state, candidateIds) => (state ? openRound(state) : { round: null, candidates: [...candidateIds], final: true }),
    advance: decideRound,
    done: (state) => state === null || roundsDone(state),
  };
}

export const halving: SearchStrategy = halvingStrategy('halving');
export const hyperband: SearchStrategy = halvingStrategy('hyperband');

// The spec's validation asks these for what a halving sweep's numbers allow (src/sweep/search-rules.ts).
for (const s of [halving, hyperband]) registerSearchRules<SweepSpec>(s.name, s.problems);
