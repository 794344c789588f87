/**
 * Grid search: every depth × width point of the sweep, each trained once to training.epochs. The one
 * round of a search without rounds is also what random search (./random.ts) shares.
 */
import { LayerbenchError } from '../errors.js';
import type { GridPoint } from '../sweep/candidate.js';
import { trialsPerCandidate, type SweepSpec } from '../sweep/schema.js';
import type { SearchStrategy } from './strategy.js';

/** Every depth × width point, depth-major, in the order the spec lists them. */
export function gridPoints(spec: Pick<SweepSpec, 'model'>): GridPoint[] {
  return spec.model.depth.flatMap((depth) => spec.model.width.map((width) => ({ depth, width })));
}

/** A strategy that trains every candidate it proposes once, in one round, to training.epochs. */
export function oneRound(name: SearchStrategy['name'], points: (spec: SweepSpec) => GridPoint[]): SearchStrategy {
  return {
    name,
    points,
    problems: () => [],
    schedule: (spec, candidates) => {
      const epochs = candidates * trialsPerCandidate(spec) * spec.training.epochs;
      return { rounds: [{ epochs: spec.training.epochs, candidates, atMost: candidates }], epochs: { planned: epochs, atMost: epochs, grid: epochs } };
    },
    start: () => null,
    round: (_state, candidateIds) => ({ round: null, candidates: [...candidateIds], final: true }),
    advance: () => {
      throw new LayerbenchError(`search strategy ${name} has a single round: there is nothing to promote`, { code: 'E_INTERNAL', kind: 'fatal' });
    },
    done: () => true,
  };
}

export const grid: SearchStrategy = oneRound('grid', gridPoints);
